/**
 * The Store: everything the service layer needs from persistence, one interface file per
 * concern (presence.ts, directory.ts, credentials.ts, history.ts, topics.ts, sessions.ts,
 * messages.ts, webhooks.ts, routing.ts, queue.ts, routing-events.ts). Each backend folder,
 * sqlite/ and postgres/, implements every concern in a file
 * of the same name and composes them in its store.ts. All methods are async so the same
 * service code runs over an in-process SQLite and a networked PostgreSQL.
 */
import type { CredentialStore } from "./credentials.ts";
import type { DirectoryStore } from "./directory.ts";
import type { HistoryStore } from "./history.ts";
import type { MessageStore } from "./messages.ts";
import type { PresenceStore } from "./presence.ts";
import type { QueueStore } from "./queue.ts";
import type { RoutingStore } from "./routing.ts";
import type { RoutingEventStore } from "./routing-events.ts";
import type { SessionStore } from "./sessions.ts";
import type { TopicStore } from "./topics.ts";
import type { WebhookDeliveryStore, WebhookOutboxStore } from "./webhooks.ts";

/**
 * The parts a backend is made of, one per concern: a backend's store.ts builds each over its
 * connection and joins them with `composeStore` (compose.ts).
 */
export interface StoreParts {
  /** Opening and closing the connection; built in the backend's store.ts. */
  base: StoreBase;
  presence: PresenceStore;
  directory: DirectoryStore;
  credentials: CredentialStore;
  history: HistoryStore;
  topics: TopicStore;
  sessions: SessionStore;
  messages: MessageStore;
  webhooks: WebhookOutboxStore;
  webhookDeliveries: WebhookDeliveryStore;
  routingEvents: RoutingEventStore;
  routing: RoutingStore;
  queue: QueueStore;
}

type UnionToIntersection<U> = (U extends unknown ? (part: U) => void : never) extends (
  part: infer I,
) => void
  ? I
  : never;

/** The store as one object, as the services receive it: the members of every part. */
export interface Store extends UnionToIntersection<StoreParts[keyof StoreParts]> {}

export interface StoreBase {
  readonly backend: "sqlite" | "postgres";
  close(): Promise<void>;
  /** True when the store holds no users (used by `serve --demo`). */
  isEmpty(): Promise<boolean>;
  /** A cheap round trip (`SELECT 1`) that throws when the store cannot be reached (/readyz). */
  ping(): Promise<void>;
}
