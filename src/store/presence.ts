/** The store's part for presence: listing it, saving Present, heartbeat deadlines and expiry. */
import type { ChatPresence, PresenceEvent, PresenceUpdate } from "../domain/presence.ts";
import type { NewHistoryEntry } from "./history.ts";

export interface PresenceChange {
  userId: number;
  present: boolean;
  previousPresent: boolean;
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
   * heartbeat deadline of every user saved present, appends a history entry for each real
   * change, so a change is never stored without its event, and (when any webhook exists)
   * writes the webhook outbox entry of those events, so each is enqueued exactly once.
   */
  savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence>;

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
  /** Whether the save's transaction wrote a webhook outbox entry covering `events`. */
  enqueued: boolean;
}
