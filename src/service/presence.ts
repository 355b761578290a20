/**
 * The presence operations every protocol uses, and the one place presence changes are detected.
 * Whatever may alter someone's presence (a save, a pick-up, a membership edit, an expiry) calls
 * `usersChanged`: it re-reads those users, diffs them with the snapshot, logs and publishes.
 */
import { PresenceError } from "../domain/errors.ts";
import {
  type Actor,
  assertMaySave,
  type ChangeOrigin,
  type ChatPresence,
  changeEntry,
  collapseDuplicates,
  type PresenceEvent,
  type PresenceUpdate,
  presenceDiffers,
} from "../domain/presence.ts";
import type { ChangeBus } from "../events/bus.ts";
import type { Store } from "../store/store.ts";
import { CoalescedCheck } from "./fresh-check.ts";
import { Listeners } from "./listeners.ts";
import {
  EntryVersions,
  type IndexedSnapshot,
  indexed,
  type LocalChange,
  type PresenceSnapshot,
  reconciled,
  sortedWithout,
} from "./presence-snapshot.ts";
import { RenewalBatch } from "./renewals.ts";

export type { LocalChange, PresenceSnapshot } from "./presence-snapshot.ts";

export interface PresenceOptions {
  /** Heartbeat expiry for everyone without a TTL of their own; null turns expiry off. */
  presenceTtlSeconds: number | null;
  /** Other nodes write to the same store: check history for their changes before answering. */
  shared: boolean;
}

/** Heartbeats arriving within this many ms share one write; small against any TTL (seconds). */
const HEARTBEAT_WINDOW_MS = 50;
/** More history than this to catch up on is cheaper to replace with a full reload. */
const CATCH_UP_LIMIT = 10_000;
const EXPIRY: ChangeOrigin = { source: "expiry", changedBy: null };

/**
 * Entries of the snapshot list are replaced in place (copying a 100,000-user list per save
 * would cost more than the save); each change takes a new version number, and every reader
 * uses the list synchronously right after getAll, so none sees it half-changed.
 */
export class PresenceService {
  private snapshot: IndexedSnapshot | null = null;
  private version = 0;
  /** Shared stores: where in history the snapshot stands (entries committed since are news). */
  private position = "";
  /** The Version each user's entry fields were last set from (see EntryVersions). */
  private versions = new EntryVersions();
  /** Snapshot updates run one at a time, so two never race on the same snapshot. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly bus: ChangeBus,
    readonly options: PresenceOptions,
  ) {
    // Other nodes' changes arrive on the bus: fold them in now, from the events themselves
    // (no query), rather than at the next read's check.
    if (options.shared)
      bus.subscribe((events) => {
        const apply = async () => {
          if (this.snapshot) await this.applyEvents(this.snapshot, events);
        };
        void this.serially(apply).catch(() => undefined);
      });
  }

  /**
   * The current list. On a shared store this first asks for history newer than the snapshot,
   * so a save acknowledged by any node is in the next answer of every node.
   */
  async getAll(): Promise<PresenceSnapshot> {
    if (this.options.shared || !this.snapshot) await this.freshness.run();
    return this.snapshot as IndexedSnapshot;
  }

  /** Shared stores: the freshness check concurrent reads share (see CoalescedCheck). */
  readonly freshness = new CoalescedCheck(() => this.serially(() => this.catchUp()));

  /**
   * Saves atomically: every entry is checked first (unknown user 400, not yours 403). The fast
   * path of presence: one store transaction sets Present, renews heartbeat deadlines and logs
   * the changes, and the snapshot is patched from those events without re-reading anything.
   *
   * A loaded snapshot serves as it stands, without a freshness check: the store's row locks
   * decide what a save changes, and users the snapshot does not know are asked of the store.
   * It only lends the events OngoingChats and ChatTopics, and EntryVersions keeps those from
   * undoing a directory change logged before.
   */
  async save(
    actor: Actor,
    updates: readonly PresenceUpdate[],
    source: "api" | "soap" | "admin" = "api",
  ): Promise<PresenceEvent[]> {
    const snapshot = (this.snapshot ?? (await this.getAll())) as IndexedSnapshot;
    const unseen = updates.map((u) => u.userId).filter((id) => !snapshot.position.has(id));
    // Only users the snapshot does not know yet (made on another node a moment ago) cost a query.
    const existing =
      unseen.length > 0 ? await this.store.existingUserIds(unseen) : new Set<number>();
    assertMaySave(actor, updates, (id) => snapshot.position.has(id) || existing.has(id));
    return this.saveAs(updates, { source, changedBy: actor.userId });
  }

  /** Saves presence the service decided on itself (routing sets a ghost agent absent). */
  async saveAs(updates: readonly PresenceUpdate[], origin: ChangeOrigin): Promise<PresenceEvent[]> {
    if (!this.snapshot) await this.getAll();
    const at = Date.now();
    const { events, enqueued } = await this.store.savePresence(collapseDuplicates(updates), {
      now: at,
      ttlSeconds: this.options.presenceTtlSeconds,
      describe: ({ userId, present, previousPresent }) => {
        const { OngoingChats, ChatTopics } = this.current(userId);
        const after = { Present: present, OngoingChats, ChatTopics };
        const before = { Present: previousPresent, OngoingChats, ChatTopics };
        return changeEntry(userId, after, before, origin, at);
      },
    });
    if (events.length > 0)
      await this.serially(() => this.applyEvents(this.snapshot as IndexedSnapshot, events));
    await this.announce(events, enqueued);
    return events;
  }

  /** A user's entry in the snapshot; a user it does not know yet has no chats and no topics. */
  private current(userId: number): ChatPresence {
    const snapshot = this.snapshot as IndexedSnapshot;
    const index = snapshot.position.get(userId);
    return index === undefined
      ? { UserId: userId, DisplayName: null, OngoingChats: 0, Present: false, ChatTopics: [] }
      : snapshot.presence[index];
  }

  /** Renews the caller's presence deadline (an admin may name another user). */
  async heartbeat(actor: Actor, userId = actor.userId): Promise<ChatPresence> {
    if (userId !== actor.userId && actor.role !== "admin") {
      throw new PresenceError("PRES_ERR_FORBIDDEN_USER", { index: 0, userId });
    }
    const snapshot = (await this.getAll()) as IndexedSnapshot;
    const index = snapshot.position.get(userId);
    // Only a user the snapshot does not know yet (made elsewhere a moment ago) costs a query.
    const presence =
      index === undefined ? (await this.store.presenceOf([userId]))[0] : snapshot.presence[index];
    if (!presence) throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index: 0, userId });
    await this.renewals.add(userId);
    return presence;
  }

  /** Heartbeats of a window are renewed by one write (see RenewalBatch). */
  readonly renewals = new RenewalBatch(
    (userIds, now) => this.store.renewPresence(userIds, now, this.options.presenceTtlSeconds),
    HEARTBEAT_WINDOW_MS,
  );

  /** Lapses every overdue Present=true to false (source expiry). */
  async expireDue(now = Date.now()): Promise<PresenceEvent[]> {
    const expired = await this.store.expirePresence(now);
    return expired.length === 0 ? [] : this.usersChanged(expired, EXPIRY);
  }

  /**
   * The changes made on this node, once in history (the bus also carries other nodes'; this
   * does not), so webhooks enqueue a change once per cluster. Listeners run in turn before the
   * change call returns; what they throw is swallowed, so they never fail the save.
   */
  readonly localChanges = new Listeners<LocalChange>();

  /** Re-reads these users, and logs and publishes what changed. */
  usersChanged(userIds: readonly number[], origin: ChangeOrigin): Promise<PresenceEvent[]> {
    return this.serially(() => this.detectChanges([...new Set(userIds)], origin));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The position is taken first: what commits while the list is read is then news, not lost. */
  private async load(): Promise<IndexedSnapshot> {
    const position = this.options.shared ? await this.store.historyPosition() : "";
    this.snapshot = indexed(++this.version, await this.store.listPresence());
    this.position = position;
    this.versions = new EntryVersions();
    return this.snapshot;
  }

  /** Loads the snapshot, or (shared stores) folds in what other nodes committed since. */
  private async catchUp(): Promise<void> {
    if (!this.snapshot) {
      await this.load();
      return;
    }
    if (!this.options.shared) return;
    const news = await this.store.changesSince(this.position, CATCH_UP_LIMIT + 1);
    if (news.events.length > CATCH_UP_LIMIT) {
      await this.load();
      return;
    }
    if (news.directoryChanged) await this.reconcile();
    if (news.events.length > 0) await this.applyEvents(this.snapshot, news.events);
    this.position = news.position;
  }

  /**
   * Takes in what another process changed in the store: its directory changes, and the
   * history it logged (`events`, in id order).
   */
  externalChange(events: readonly PresenceEvent[]): Promise<void> {
    return this.serially(async () => {
      if (!this.snapshot) return;
      await this.reconcile();
      if (events.length > 0) await this.applyEvents(this.snapshot, events);
    });
  }

  private async reconcile(): Promise<void> {
    const fresh = await this.store.listPresence();
    this.snapshot = reconciled(++this.version, this.snapshot as IndexedSnapshot, fresh);
  }

  /**
   * Folds logged changes into the snapshot from the events themselves, not by re-reading the
   * store: a re-read could pick up a local save whose own change detection has not run yet,
   * and that change would then never be logged.
   */
  private async applyEvents(
    before: IndexedSnapshot,
    events: readonly PresenceEvent[],
  ): Promise<void> {
    const next = before.presence as ChatPresence[];
    const unknown: number[] = [];
    for (const event of events) {
      const index = before.position.get(event.UserId);
      if (index !== undefined) next[index] = this.versions.patched(next[index], event);
      else {
        this.versions.noted(event);
        unknown.push(event.UserId);
      }
    }
    this.snapshot = { version: ++this.version, presence: next, position: before.position };
    if (unknown.length > 0) await this.refresh(this.snapshot, [...new Set(unknown)]);
  }

  private async detectChanges(userIds: number[], origin: ChangeOrigin): Promise<PresenceEvent[]> {
    if (userIds.length === 0) return [];
    const before = this.snapshot ?? (await this.load());
    const changed = await this.refresh(before, userIds);
    const at = Date.now();
    const entries = changed.map(({ row, previous }) =>
      changeEntry(row.UserId, row, previous, origin, at),
    );
    const events = entries.length > 0 ? await this.store.appendHistory(entries) : [];
    await this.announce(events);
    return events;
  }

  /** Hands logged changes to the bus (every node's streams) and to this node's listeners. */
  private async announce(events: readonly PresenceEvent[], enqueued?: boolean): Promise<void> {
    if (events.length === 0) return;
    await this.bus.publish(events);
    await this.localChanges.notify({ events, enqueued });
  }

  /** Re-reads users into a new snapshot; returns those whose presence fields changed. */
  private async refresh(before: IndexedSnapshot, userIds: number[]) {
    const rows = await this.store.presenceOf(userIds);
    const list = before.presence as ChatPresence[];
    const changed: { row: ChatPresence; previous: ChatPresence | undefined }[] = [];
    const added: ChatPresence[] = [];
    for (const row of rows) {
      const index = before.position.get(row.UserId);
      const previous = index === undefined ? undefined : list[index];
      if (index === undefined) added.push(row);
      else list[index] = row;
      if (!previous || presenceDiffers(previous, row)) changed.push({ row, previous });
    }
    const found = new Set(rows.map((r) => r.UserId));
    const removed = userIds.filter((id) => before.position.has(id) && !found.has(id));
    this.snapshot =
      added.length > 0 || removed.length > 0
        ? indexed(++this.version, sortedWithout([...list, ...added], removed))
        : { version: ++this.version, presence: list, position: before.position };
    return changed;
  }
}
