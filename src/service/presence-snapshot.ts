/** The presence snapshot a node keeps in memory, indexed by user, and how it is rebuilt. */
import type { ChatPresence } from "../domain/presence.ts";

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
