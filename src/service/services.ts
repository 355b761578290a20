/** Wires the service layer over one store: what every protocol adapter and the CLI receive. */
import { type MessageLimits, messageLimits } from "../domain/message.ts";
import { type ChangeBus, LocalBus } from "../events/bus.ts";
import { LocalMessageBus, type MessageBus } from "../events/messages.ts";
import { LocalRoutingBus, type RoutingEventBus } from "../events/routing.ts";
import type { Store } from "../store/store.ts";
import { AgentLoadService } from "./agent-load.ts";
import { type AuthOptions, AuthService, DEFAULT_AUTH_OPTIONS } from "./auth.ts";
import { DirectoryService } from "./directory.ts";
import { HealthService } from "./health.ts";
import { HistoryService, type ResumeWindow } from "./history.ts";
import { MessageService } from "./messages.ts";
import { PresenceService } from "./presence.ts";
import { QueueService } from "./queue.ts";
import { RoutingService } from "./routing.ts";
import { RoutingEventService } from "./routing-events.ts";
import { SessionService } from "./sessions.ts";
import { LoginThrottle, type SignInLimits, throttleOptions } from "./throttle.ts";
import { TopicService } from "./topics.ts";
import { UserService } from "./users.ts";
import {
  DEFAULT_WEBHOOK_SERVICE_OPTIONS,
  WebhookService,
  type WebhookServiceOptions,
} from "./webhooks.ts";

/** Adapters reach persistence only through these services: the store itself is not here. */
export interface Services {
  bus: ChangeBus;
  health: HealthService;
  auth: AuthService;
  presence: PresenceService;
  history: HistoryService;
  directory: DirectoryService;
  webhooks: WebhookService;
  topics: TopicService;
  sessions: SessionService;
  messages: MessageService;
  users: UserService;
  routingEvents: RoutingEventService;
  routing: RoutingService;
  queue: QueueService;
  agentLoad: AgentLoadService;
}

export interface ServiceOptions {
  auth?: Partial<AuthOptions>;
  /** Sign-in throttling (defaults: 5 failures per name, 30 per address, locks from 1 s). */
  signIn?: Partial<SignInLimits>;
  /** Heartbeat expiry in seconds for users without their own TTL; null (default) turns it off. */
  presenceTtlSeconds?: number | null;
  /** How long presence history is kept; null keeps it for ever. Default 30 days. */
  historyRetentionMs?: number | null;
  /** How far back a non-admin's stream may resume (default 10,000 events or 15 minutes). */
  resumeWindow?: ResumeWindow;
  /** The change bus; a cluster passes one over PostgreSQL. Default: in-process. */
  bus?: ChangeBus;
  /** True when other nodes write to the same store, so cached presence must check for news. */
  shared?: boolean;
  /** Webhook registration rules: how many, and which addresses they may point at. */
  webhooks?: Partial<WebhookServiceOptions>;
  /** Signals new chat messages to followers; a cluster passes one over PostgreSQL. */
  messageBus?: MessageBus;
  /** Message length, messages per session and page size; defaults: DEFAULT_MESSAGE_LIMITS. */
  messageLimits?: Partial<MessageLimits>;
  /** Carries routing events to every node's streams; a cluster passes one over PostgreSQL. */
  routingBus?: RoutingEventBus;
  /** Where background failures go (a lost routing notification). */
  onError?: (error: unknown) => void;
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const bus: ChangeBus = options.bus ?? new LocalBus();
  const presence = new PresenceService(store, bus, {
    presenceTtlSeconds: options.presenceTtlSeconds ?? null,
    shared: options.shared ?? false,
  });
  bus.onExternalChange?.((events) => void presence.externalChange(events).catch(() => undefined));
  const webhooks = new WebhookService(store, {
    ...DEFAULT_WEBHOOK_SERVICE_OPTIONS,
    ...options.webhooks,
  });
  // Enqueued only where a change is made, so a webhook fires once per change per cluster.
  presence.localChanges.add(({ events, enqueued }) => webhooks.enqueue(events, enqueued));
  const auth = new AuthService(
    store,
    { ...DEFAULT_AUTH_OPTIONS, ...options.auth },
    new LoginThrottle(throttleOptions(options.signIn)),
  );
  // Another node changed a user's role, password or name, or deleted the user or credentials.
  bus.onUserChange?.((userId) => auth.forgetUser(userId));
  const sessions = new SessionService(store, presence);
  const topics = new TopicService(store, presence);
  const users = new UserService(store, presence, auth);
  const historyRetentionMs =
    options.historyRetentionMs === undefined ? 30 * 86_400_000 : options.historyRetentionMs;
  // Kept as long as presence history, and resumed within the same window.
  const routingEvents = new RoutingEventService(
    store,
    options.routingBus ?? new LocalRoutingBus(),
    {
      retentionMs: historyRetentionMs,
      resumeWindow: options.resumeWindow,
      onError: options.onError,
    },
  );
  const routing = new RoutingService(store, presence, routingEvents);
  // Routing reacts to the others through their listener sets; none of them imports routing.
  sessions.changes.add((change) => routing.sessionChanged(change));
  presence.localChanges.add(({ events }) => routing.presenceChanged(events));
  topics.agentsMayFit.add((topicId) => routing.route(topicId));
  users.limitChanged.add((userId) => routing.agentChanged(userId));
  const messages = new MessageService(
    store,
    sessions,
    presence,
    options.messageBus ?? new LocalMessageBus(),
    messageLimits(options.messageLimits),
  );
  // Like presence changes: enqueued where they are recorded, so once per cluster.
  routingEvents.localRecords.add((events) => webhooks.enqueueRouting(events));
  return {
    bus,
    health: new HealthService(store),
    auth,
    presence,
    history: new HistoryService(
      store,
      historyRetentionMs,
      options.resumeWindow,
      bus.delivered?.bind(bus),
    ),
    directory: new DirectoryService(store, presence),
    webhooks,
    topics,
    sessions,
    messages,
    users,
    routingEvents,
    routing,
    queue: new QueueService(store, topics),
    agentLoad: new AgentLoadService(store),
  };
}
