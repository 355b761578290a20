/**
 * The Store: everything the service layer needs from persistence, one backend per folder
 * (sqlite/, later postgres/) with the same file names. All methods are async so the same
 * service code runs over an in-process SQLite and a networked PostgreSQL.
 */
import type { ChatSession, ChatTopic, ChatUser, Role, TopicMember } from "../domain/model.ts";
import type { ChatPresence, PresenceEvent, PresenceUpdate } from "../domain/presence.ts";
import type { HistoryStore, NewHistoryEntry } from "./history.ts";
import type { SessionStore } from "./sessions.ts";
import type { TopicStore } from "./topics.ts";
import type { WebhookStore } from "./webhooks.ts";

export interface PresenceChange {
  userId: number;
  present: boolean;
  previousPresent: boolean;
}

export type CredentialKind = "ticket" | "bearer" | "session";

/** A ticket, bearer token or browser session, stored by the SHA-256 of its secret. */
export interface StoredCredential {
  hash: string;
  kind: CredentialKind;
  userId: number;
  expiresAt: number;
  /** Browser sessions only: SHA-256 of the XSRF token paired with the session. */
  xsrfHash: string | null;
}

export interface NewUser {
  id?: number;
  username: string;
  displayName: string;
  role: Role;
  present?: boolean;
  passwordHash: string | null;
  /** Heartbeat TTL of this user in seconds; absent keeps the stored one (none for a new user). */
  presenceTtl?: number | null;
}

export type UserPatch = Partial<
  Pick<ChatUser, "displayName" | "role" | "passwordHash" | "username" | "presenceTtl">
>;

/** A whole directory to upsert in one transaction (the import file, already validated). */
export interface DirectoryImport {
  users: (NewUser & { id: number })[];
  topics: ChatTopic[];
  members: TopicMember[];
  sessions: ChatSession[];
  appTokenHashes: string[];
}

export interface ImportCounts {
  users: number;
  topics: number;
  members: number;
  sessions: number;
  appTokens: number;
}

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

export interface PresenceStore {
  /** Every chat user's presence, ChatTopics and OngoingChats computed from the directory. */
  listPresence(): Promise<ChatPresence[]>;
  /** The presence of just these users (those that exist), in id order. */
  presenceOf(userIds: readonly number[]): Promise<ChatPresence[]>;
  /** Which of these user ids exist. */
  existingUserIds(ids: readonly number[]): Promise<Set<number>>;
  /**
   * Applies all updates in one transaction, or none: throws PRES_ERR_UNKNOWN_USER when a user
   * vanished since the caller checked. With a `log`, the same transaction also renews the
   * heartbeat deadline of every user saved present and appends a history entry for each real
   * change, so a change is never stored without its event.
   */
  savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence>;
}

export interface SaveLog {
  now: number;
  /** Heartbeat TTL for users without one of their own; null sets no deadline. */
  ttlSeconds: number | null;
  /** The history entry for one real change. */
  describe(change: PresenceChange): NewHistoryEntry;
}

export interface SavedPresence {
  /** The users whose Present actually changed. */
  changes: PresenceChange[];
  /** Their history entries, with ids (empty without a log). */
  events: PresenceEvent[];
}

export interface DirectoryStore {
  getUser(id: number): Promise<ChatUser | null>;
  getUserByUsername(username: string): Promise<ChatUser | null>;
  listUsers(): Promise<ChatUser[]>;
  /** Throws PRES_ERR_USERNAME_TAKEN when the username is in use (case-insensitive). */
  createUser(user: NewUser): Promise<ChatUser>;
  /** Throws PRES_ERR_USERNAME_TAKEN when renaming onto a username in use. */
  updateUser(id: number, patch: UserPatch): Promise<ChatUser | null>;
  /** Deletes a user, their credentials and memberships; their ongoing chats go back to the queue. */
  deleteUser(id: number): Promise<boolean>;

  importDirectory(directory: DirectoryImport): Promise<ImportCounts>;
}

export interface CredentialStore {
  saveCredential(credential: StoredCredential): Promise<void>;
  findCredential(hash: string, now: number): Promise<StoredCredential | null>;
  deleteCredential(hash: string): Promise<void>;
  /** Revokes every ticket, token and browser session of a user (after a password reset). */
  deleteCredentialsOf(userId: number): Promise<void>;
  hasAppToken(hash: string): Promise<boolean>;
}
