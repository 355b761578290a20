/**
 * The Store: everything the service layer needs from persistence, one backend per folder
 * (sqlite/, later postgres/) with the same file names. All methods are async so the same
 * service code runs over an in-process SQLite and a networked PostgreSQL.
 */
import type { CredentialStore } from "./credentials.ts";
import type { DirectoryStore } from "./directory.ts";
import type { HistoryStore } from "./history.ts";
import type { PresenceStore } from "./presence.ts";
import type { SessionStore } from "./sessions.ts";
import type { TopicStore } from "./topics.ts";
import type { WebhookStore } from "./webhooks.ts";

/** The store as one object, made of one part per concern (sqlite/<part>.ts, postgres/<part>.ts). */
export interface Store
  extends StoreBase,
    PresenceStore,
    DirectoryStore,
    CredentialStore,
    HistoryStore,
    TopicStore,
    SessionStore,
    WebhookStore {}

export interface StoreBase {
  readonly backend: "sqlite" | "postgres";
  close(): Promise<void>;
  /** True when the store holds no users (used by `serve --demo`). */
  isEmpty(): Promise<boolean>;
  /** A cheap round trip (`SELECT 1`) that throws when the store cannot be reached (/readyz). */
  ping(): Promise<void>;
}
