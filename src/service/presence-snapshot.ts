/** The presence snapshot a node keeps in memory, indexed by user, and how it is rebuilt. */
import { type ChatPresence, onlyPresentChanged, type PresenceEvent } from "../domain/presence.ts";

/** Changes made on this node, logged to history. */
export interface LocalChange {
  events: readonly PresenceEvent[];
  /** Set when a save's own transaction decided their webhook outbox entry (true: written). */
  enqueued?: boolean;
}

export interface PresenceSnapshot {
  /** Increases with every change to the list; caches of anything derived key on it. */
  version: number;
  presence: readonly ChatPresence[];
}

export interface IndexedSnapshot extends PresenceSnapshot {
  position: Map<number, number>;
}

export function indexed(version: number, presence: ChatPresence[]): IndexedSnapshot {
  return { version, presence, position: new Map(presence.map((p, i) => [p.UserId, i])) };
}

export function sortedWithout(list: ChatPresence[], removed: number[]): ChatPresence[] {
  const gone = new Set(removed);
  return list.filter((p) => !gone.has(p.UserId)).sort((a, b) => a.UserId - b.UserId);
}

/**
 * The directory as `fresh` says, for a snapshot someone else's directory change made stale:
 * display names are taken from it and users it no longer has are dropped. Presence fields and
 * new users are left to the history entries the change logged: taking them from `fresh` could
 * take a change of this node before its own change detection has run, and that change would
 * then never be logged.
 */
export function reconciled(
  version: number,
  before: IndexedSnapshot,
  fresh: readonly ChatPresence[],
): IndexedSnapshot {
  const names = new Map(fresh.map((p) => [p.UserId, p.DisplayName]));
  const kept: ChatPresence[] = [];
  for (const entry of before.presence) {
    if (!names.has(entry.UserId)) continue;
    const DisplayName = names.get(entry.UserId) ?? null;
    kept.push(DisplayName === entry.DisplayName ? entry : { ...entry, DisplayName });
  }
  return indexed(version, kept);
}

/**
 * Which logged change each user's entry fields were last set from, so a late older event
 * cannot undo a newer one. Present and the other fields are tracked apart: a change of Present
 * alone (a save) took its OngoingChats and ChatTopics from the saving node's snapshot, which
 * may not have had a directory change logged just before it yet; it sets Present only, and the
 * older directory change still sets its fields when it arrives.
 */
export class EntryVersions {
  private readonly present = new Map<number, number>();
  private readonly others = new Map<number, number>();

  /** The entry after `event`, field by field in the carrier's order (renderings follow it). */
  patched(entry: ChatPresence, event: PresenceEvent): ChatPresence {
    const setPresent = this.take(this.present, event);
    const setOthers = !onlyPresentChanged(event) && this.take(this.others, event);
    return {
      UserId: entry.UserId,
      DisplayName: entry.DisplayName,
      OngoingChats: setOthers ? event.OngoingChats : entry.OngoingChats,
      Present: setPresent ? event.Present : entry.Present,
      ChatTopics: setOthers ? event.ChatTopics : entry.ChatTopics,
    };
  }

  /** A user the snapshot does not have yet, read from the store after `event`. */
  noted(event: PresenceEvent): void {
    this.take(this.present, event);
    this.take(this.others, event);
  }

  private take(versions: Map<number, number>, event: PresenceEvent): boolean {
    if ((versions.get(event.UserId) ?? 0) > event.Version) return false;
    versions.set(event.UserId, event.Version);
    return true;
  }
}
