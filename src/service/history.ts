/** Reading the presence history: for admins and for users about themselves; stream resumes. */
import { PresenceError } from "../domain/errors.ts";
import type { Actor, PresenceEvent } from "../domain/presence.ts";
import type { Store } from "../store/store.ts";

export interface HistoryFilter {
  userId?: number;
  since?: number;
  until?: number;
  limit?: number;
}

/** Largest page of history one request returns, and of backlog one stream resume replays. */
export const HISTORY_PAGE_LIMIT = 10_000;

export class HistoryService {
  constructor(
    private readonly store: Store,
    /** How long entries are kept; null keeps them for ever. */
    readonly retentionMs: number | null,
    /** The newest Version the change bus has delivered with all before it, when it knows. */
    private readonly delivered?: () => number,
  ) {}

  /** An agent sees their own history only; an admin anyone's. */
  async query(actor: Actor, filter: HistoryFilter): Promise<PresenceEvent[]> {
    const userId = filter.userId ?? (actor.role === "admin" ? undefined : actor.userId);
    if (actor.role !== "admin" && userId !== actor.userId) {
      throw new PresenceError("PRES_ERR_FORBIDDEN", {
        detail: "agents may read their own history only",
      });
    }
    const limit = Math.min(filter.limit ?? 1000, HISTORY_PAGE_LIMIT);
    return this.store.queryHistory({ userId, since: filter.since, until: filter.until, limit });
  }

  /**
   * The changes after `lastEventId`, or null when they can no longer all be replayed (purged,
   * too many, or an id this store never gave) and the client needs a fresh snapshot instead.
   */
  async backlog(lastEventId: number): Promise<PresenceEvent[] | null> {
    const [oldest, latest] = await Promise.all([
      this.store.oldestHistoryId(),
      this.latestVersion(),
    ]);
    if (lastEventId > latest) return null;
    if (lastEventId < (oldest ?? latest + 1) - 1) return null;
    const events = await this.store.queryHistory({
      afterId: lastEventId,
      limit: HISTORY_PAGE_LIMIT + 1,
    });
    if (events.length > HISTORY_PAGE_LIMIT) return null;
    // Newer rows reach the stream live, in order, through the bus.
    return events.filter((e) => e.Version <= latest);
  }

  /** The Version a stream's snapshot stands for: everything up to it is final. */
  async latestVersion(): Promise<number> {
    return this.delivered ? this.delivered() : this.store.latestHistoryId();
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    return this.retentionMs === null ? 0 : this.store.purgeHistory(now - this.retentionMs);
  }
}
