/**
 * The presence operations every protocol uses, and the one place presence changes are
 * detected. Any operation that may alter someone's presence (a save, a pick-up, a membership
 * edit, an expiry) calls `usersChanged`, which re-reads just those users, diffs them against
 * the in-memory snapshot, logs each real change to history and publishes it on the bus.
 */
import { PresenceError } from "../domain/errors.ts";
import {
  type Actor,
  assertMaySave,
  type ChangeOrigin,
  type ChatPresence,
  collapseDuplicates,
  type PresenceEvent,
  type PresenceUpdate,
  presenceDiffers,
} from "../domain/presence.ts";
import type { ChangeBus } from "../realtime/bus.ts";
import type { NewHistoryEntry } from "../store/history.ts";
import type { Store } from "../store/store.ts";

export interface PresenceSnapshot {
  /** Increases with every change to the list; caches of anything derived key on it. */
  version: number;
  presence: readonly ChatPresence[];
}

export interface PresenceOptions {
  /** Heartbeat expiry for everyone without a TTL of their own; null turns expiry off. */
  presenceTtlSeconds: number | null;
}

interface IndexedSnapshot extends PresenceSnapshot {
  position: Map<number, number>;
}

function indexed(version: number, presence: ChatPresence[]): IndexedSnapshot {
  return { version, presence, position: new Map(presence.map((p, i) => [p.UserId, i])) };
}

export class PresenceService {
  private snapshot: IndexedSnapshot | null = null;
  private version = 0;
  /** Change detection runs one at a time, so two diffs never race on the same snapshot. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly bus: ChangeBus,
    readonly options: PresenceOptions,
  ) {}

  async getAll(): Promise<PresenceSnapshot> {
    this.snapshot ??= indexed(++this.version, await this.store.listPresence());
    return this.snapshot;
  }

  /** Saves atomically: every entry is checked first (unknown user 400, not yours 403). */
  async save(
    actor: Actor,
    updates: readonly PresenceUpdate[],
    source: "api" | "soap" | "admin" = "api",
  ): Promise<PresenceEvent[]> {
    const existing = await this.store.existingUserIds(updates.map((u) => u.userId));
    assertMaySave(actor, updates, (id) => existing.has(id));
    const collapsed = collapseDuplicates(updates);
    await this.store.savePresence(collapsed);
    // Any save of a present user renews their heartbeat deadline, changed or not.
    await this.store.renewPresence(
      collapsed.filter((u) => u.present).map((u) => u.userId),
      Date.now(),
      this.options.presenceTtlSeconds,
    );
    return this.usersChanged(
      collapsed.map((u) => u.userId),
      { source, changedBy: actor.userId },
    );
  }

  /** Renews the caller's presence deadline (an admin may name another user). */
  async heartbeat(actor: Actor, userId = actor.userId): Promise<ChatPresence> {
    if (userId !== actor.userId && actor.role !== "admin") {
      throw new PresenceError("PRES_ERR_FORBIDDEN_USER", { index: 0, userId });
    }
    const [presence] = await this.store.presenceOf([userId]);
    if (!presence) throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index: 0, userId });
    await this.store.renewPresence([userId], Date.now(), this.options.presenceTtlSeconds);
    return presence;
  }

  /** Lapses every overdue Present=true to false (source expiry). */
  async expireDue(now = Date.now()): Promise<PresenceEvent[]> {
    const expired = await this.store.expirePresence(now);
    return expired.length === 0
      ? []
      : this.usersChanged(expired, { source: "expiry", changedBy: null });
  }

  /** Re-reads these users, and logs and publishes what changed. */
  usersChanged(userIds: readonly number[], origin: ChangeOrigin): Promise<PresenceEvent[]> {
    const run = this.queue.then(() => this.detectChanges([...new Set(userIds)], origin));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Re-reads everything (after an import); no events, since nobody acted on presence. */
  async reload(): Promise<void> {
    await this.queue;
    this.snapshot = indexed(++this.version, await this.store.listPresence());
  }

  private async detectChanges(userIds: number[], origin: ChangeOrigin): Promise<PresenceEvent[]> {
    if (userIds.length === 0) return [];
    const before = (await this.getAll()) as IndexedSnapshot;
    const rows = await this.store.presenceOf(userIds);
    const next = [...before.presence];
    const entries: NewHistoryEntry[] = [];
    let structureChanged = false;
    const at = Date.now();
    for (const row of rows) {
      const index = before.position.get(row.UserId);
      const previous = index === undefined ? undefined : before.presence[index];
      if (index === undefined) {
        next.push(row);
        structureChanged = true;
      } else {
        next[index] = row;
      }
      if (!previous || presenceDiffers(previous, row))
        entries.push(toHistoryEntry(row, previous, origin, at));
    }
    const found = new Set(rows.map((r) => r.UserId));
    const removed = userIds.filter((id) => before.position.has(id) && !found.has(id));
    const presence = removed.length > 0 || structureChanged ? sortedWithout(next, removed) : next;
    this.snapshot =
      structureChanged || removed.length > 0
        ? indexed(++this.version, presence)
        : { version: ++this.version, presence, position: before.position };
    const events = entries.length > 0 ? await this.store.appendHistory(entries) : [];
    await this.bus.publish(events);
    return events;
  }
}

function sortedWithout(list: ChatPresence[], removed: number[]): ChatPresence[] {
  const gone = new Set(removed);
  return list.filter((p) => !gone.has(p.UserId)).sort((a, b) => a.UserId - b.UserId);
}

function toHistoryEntry(
  row: ChatPresence,
  previous: ChatPresence | undefined,
  origin: ChangeOrigin,
  at: number,
): NewHistoryEntry {
  return {
    UserId: row.UserId,
    Present: row.Present,
    OngoingChats: row.OngoingChats,
    ChatTopics: row.ChatTopics ?? [],
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
