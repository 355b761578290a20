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

export interface HistoryStore {
  /** Appends entries in order and returns them with their ids (= Version) and times. */
  appendHistory(entries: readonly NewHistoryEntry[]): Promise<PresenceEvent[]>;
  /** Entries matching the query, oldest first. */
  queryHistory(query: HistoryQuery): Promise<PresenceEvent[]>;
  /** The smallest id still kept, or null when the log is empty. */
  oldestHistoryId(): Promise<number | null>;
  /** The newest committed id (a resume point), 0 when none. */
  latestHistoryId(): Promise<number>;
  /** Deletes entries older than `before` (ms); returns how many. */
  purgeHistory(before: number): Promise<number>;
}
