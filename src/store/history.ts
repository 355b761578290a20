/** The store's part for the presence history log: every change with its Version, oldest first. */
import type { ChangeEntry, PresenceEvent } from "../domain/presence.ts";

export type NewHistoryEntry = ChangeEntry;

export interface HistoryQuery {
  userId?: number;
  /** Inclusive lower bound, ms since epoch. */
  since?: number;
  /** Exclusive upper bound, ms since epoch. */
  until?: number;
  /** Only entries with a larger id (for resuming a stream). */
  afterId?: number;
  limit: number;
}

/** What `changesSince` found: the entries, in id order, and where to ask from next time. */
export interface HistoryChanges {
  events: PresenceEvent[];
  position: string;
  /**
   * Users or memberships were changed since `position` by a writer that may have logged no
   * history for it (an import, a display name): what is cached from the directory is stale.
   */
  directoryChanged?: boolean;
}

export interface HistoryStore {
  /** Appends entries in order and returns them with their ids (= Version) and times. */
  appendHistory(entries: readonly NewHistoryEntry[]): Promise<PresenceEvent[]>;
  /** Entries matching the query, oldest first. */
  queryHistory(query: HistoryQuery): Promise<PresenceEvent[]>;
  /** The smallest id still kept, or null when the log is empty. */
  oldestHistoryId(): Promise<number | null>;
  /**
   * The newest committed id, 0 when none. On PostgreSQL smaller ids may still commit after it,
   * so a stream resumes from its change bus's `delivered()` instead.
   */
  latestHistoryId(): Promise<number>;
  /** Where the log stands now: an opaque position for `changesSince`. */
  historyPosition(): Promise<string>;
  /**
   * Every entry committed since `position` was taken (also those with ids below entries seen
   * before, which a concurrent writer may commit later), in id order, at most `limit`, only
   * ids above `afterId` when given (to page through one position), and the position to ask
   * from next.
   */
  changesSince(position: string, limit: number, afterId?: number): Promise<HistoryChanges>;
  /** Deletes entries older than `before` (ms); returns how many. */
  purgeHistory(before: number): Promise<number>;
}
