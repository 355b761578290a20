/** ChatPresence as SuperOffice defines it, and the rules for saving it. Pure, no I/O. */
import { PresenceError } from "./errors.ts";
import type { Role } from "./model.ts";

/** The wire carrier, PascalCase as the contract has it. */
export interface ChatPresence {
  UserId: number;
  DisplayName: string | null;
  OngoingChats: number;
  Present: boolean;
  ChatTopics: number[] | null;
}

/** One entry of a save: only UserId and Present are used, the rest of the carrier is ignored. */
export interface PresenceUpdate {
  userId: number;
  present: boolean;
}

export interface Actor {
  userId: number;
  username: string;
  role: Role;
}

/**
 * Duplicates are legal and the last entry for a user wins; the result keeps the first-seen
 * order of users so the stored outcome does not depend on map iteration quirks.
 */
export function collapseDuplicates(updates: readonly PresenceUpdate[]): PresenceUpdate[] {
  const latest = new Map<number, boolean>();
  for (const update of updates) {
    latest.set(update.userId, update.present);
  }
  return [...latest].map(([userId, present]) => ({ userId, present }));
}

/**
 * Checks every entry in order and throws for the first one that may not be saved:
 * an unknown user is 400, someone else's presence changed by an agent is 403.
 */
export function assertMaySave(
  actor: Actor,
  updates: readonly PresenceUpdate[],
  userExists: (userId: number) => boolean,
): void {
  updates.forEach((update, index) => {
    if (!userExists(update.userId)) {
      throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: update.userId });
    }
    if (actor.role !== "admin" && actor.userId !== update.userId) {
      throw new PresenceError("PRES_ERR_FORBIDDEN_USER", { index, userId: update.userId });
    }
  });
}

/**
 * What caused a presence change, as the stream, webhooks and history report it. `routing`:
 * routing gave the agent a chat (Assign mode), or set a ghost agent absent after missed offers.
 */
export type ChangeSource = "api" | "soap" | "admin" | "session" | "expiry" | "routing";

export interface ChangeOrigin {
  source: ChangeSource;
  /** The UserId whose request caused the change; null for expiry. */
  changedBy: number | null;
}

/** One user's presence before and after a change: the unit of history, stream and webhooks. */
export interface PresenceEvent {
  UserId: number;
  Present: boolean;
  OngoingChats: number;
  ChatTopics: number[];
  Previous: { Present: boolean; OngoingChats: number; ChatTopics: number[] } | null;
  /** The history id of this change: increasing, and the SSE event id. */
  Version: number;
  /** ISO 8601 time of the change. */
  At: string;
  Source: ChangeSource;
  ChangedBy: number | null;
}

/** True when the fields the stream reports differ (DisplayName alone is not a presence change). */
export function presenceDiffers(a: ChatPresence, b: ChatPresence): boolean {
  return (
    a.Present !== b.Present ||
    a.OngoingChats !== b.OngoingChats ||
    (a.ChatTopics ?? []).join(",") !== (b.ChatTopics ?? []).join(",")
  );
}

/** True when an event changed Present and nothing else the stream reports. */
export function onlyPresentChanged(event: PresenceEvent): boolean {
  const before = event.Previous;
  if (before === null || before.OngoingChats !== event.OngoingChats) return false;
  const [a, b] = [before.ChatTopics, event.ChatTopics];
  return a === b || (a.length === b.length && a.every((topic, i) => topic === b[i]));
}

type PresenceFields = Pick<ChatPresence, "Present" | "OngoingChats" | "ChatTopics">;

/** A change as history records it (before its id and ISO time are known). */
export type ChangeEntry = Omit<PresenceEvent, "Version" | "At"> & { at: number };

/** The history entry for a user's presence going from `previous` (none: a new user) to `now`. */
export function changeEntry(
  userId: number,
  now: PresenceFields,
  previous: PresenceFields | undefined,
  origin: ChangeOrigin,
  at: number,
): ChangeEntry {
  return {
    UserId: userId,
    Present: now.Present,
    OngoingChats: now.OngoingChats,
    ChatTopics: now.ChatTopics ?? [],
    Previous: previous
      ? {
          Present: previous.Present,
          OngoingChats: previous.OngoingChats,
          ChatTopics: previous.ChatTopics ?? [],
        }
      : null,
    Source: origin.source,
    ChangedBy: origin.changedBy,
    at,
  };
}
