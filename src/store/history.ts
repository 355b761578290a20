/** The store's part for live presence: the history log and heartbeat deadlines. */
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

  /**
   * Pushes the presence deadline of these users (those present) to now + their TTL: the
   * user's own TTL, else `defaultTtlSeconds`, else no deadline.
   */
  renewPresence(
    userIds: readonly number[],
    now: number,
    defaultTtlSeconds: number | null,
  ): Promise<void>;
  /** Sets Present=false for every user whose deadline has passed; returns their ids. Each lapse happens once. */
  expirePresence(now: number): Promise<number[]>;
}
