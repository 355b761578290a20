/** Wires the service layer over one store: what every protocol adapter and the CLI receive. */
import { type ChangeBus, LocalBus } from "../events/bus.ts";
import type { Store } from "../store/store.ts";
import { type AuthOptions, AuthService, DEFAULT_AUTH_OPTIONS } from "./auth.ts";
import { DirectoryService } from "./directory.ts";
import { HistoryService } from "./history.ts";
import { PresenceService } from "./presence.ts";
import { SessionService } from "./sessions.ts";
import { TopicService } from "./topics.ts";
import { UserService } from "./users.ts";
import { WebhookService } from "./webhooks.ts";

export interface Services {
  store: Store;
  bus: ChangeBus;
  auth: AuthService;
  presence: PresenceService;
  history: HistoryService;
  directory: DirectoryService;
  webhooks: WebhookService;
  topics: TopicService;
  sessions: SessionService;
  users: UserService;
}

export interface ServiceOptions {
  auth?: Partial<AuthOptions>;
  /** Heartbeat expiry in seconds for users without their own TTL; null (default) turns it off. */
  presenceTtlSeconds?: number | null;
  /** How long presence history is kept; null keeps it for ever. Default 30 days. */
  historyRetentionMs?: number | null;
  /** The change bus; a cluster passes one over PostgreSQL. Default: in-process. */
  bus?: ChangeBus;
  /** True when other nodes write to the same store, so cached presence must check for news. */
  shared?: boolean;
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const bus: ChangeBus = options.bus ?? new LocalBus();
  const presence = new PresenceService(store, bus, {
    presenceTtlSeconds: options.presenceTtlSeconds ?? null,
    shared: options.shared ?? false,
  });
  bus.onExternalChange?.((events) => void presence.externalChange(events).catch(() => undefined));
  const webhooks = new WebhookService(store);
  // Enqueued only where a change is made, so a webhook fires once per change per cluster.
  presence.localChanges.add((events) => webhooks.enqueue(events));
  const auth = new AuthService(store, { ...DEFAULT_AUTH_OPTIONS, ...options.auth });
  return {
    store,
    bus,
    auth,
    presence,
    history: new HistoryService(
      store,
      options.historyRetentionMs === undefined ? 30 * 86_400_000 : options.historyRetentionMs,
      bus.delivered?.bind(bus),
    ),
    directory: new DirectoryService(store, presence),
    webhooks,
    topics: new TopicService(store, presence),
    sessions: new SessionService(store, presence),
    users: new UserService(store, presence, auth),
  };
}
