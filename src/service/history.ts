/** Reading the presence history: for admins and for users about themselves; stream resumes. */
import { PresenceError } from "../domain/errors.ts";
import type { Actor, PresenceEvent } from "../domain/presence.ts";
import { assertMayManage } from "../domain/rights.ts";
import { matches, type StreamFilter } from "../domain/stream-filter.ts";
import type { Store } from "../store/store.ts";

export interface HistoryFilter {
  userId?: number;
  /** Only changes of users in this topic before or after (admins, and the topic's managers). */
  topicId?: number;
  since?: number;
  until?: number;
  limit?: number;
}

/** Largest page of history one request returns, and of backlog one stream resume replays. */
export const HISTORY_PAGE_LIMIT = 10_000;

/** How far back a non-admin's stream resume may reach; older resume points get a snapshot. */
export interface ResumeWindow {
  /** Events behind the newest (default 10,000; never more than HISTORY_PAGE_LIMIT). */
  events: number;
  /** Age of the oldest missed event, ms (default 15 minutes). */
  ms: number;
}

export const DEFAULT_RESUME_WINDOW: ResumeWindow = { events: 10_000, ms: 15 * 60_000 };

/** Where a stream resumes from, and where its log stands. */
export interface ResumePoint {
  lastEventId: number;
  /** The smallest id still kept; null when the log is empty. */
  oldest: number | null;
  /** Every id up to this one is final. */
  latest: number;
}

/**
 * How many events a resume may replay, or null when it cannot be answered from the log (purged,
 * an id this log never gave, or further back than the actor may reach): the rule every
 * resumable stream (presence, routing) keeps.
 */
export function resumeReach(actor: Actor, window: ResumeWindow, point: ResumePoint): number | null {
  const { lastEventId, oldest, latest } = point;
  if (lastEventId > latest) return null;
  if (lastEventId < (oldest ?? latest + 1) - 1) return null;
  const reach =
    actor.role === "admin" ? HISTORY_PAGE_LIMIT : Math.min(window.events, HISTORY_PAGE_LIMIT);
  // Ids are consecutive or have gaps, never fewer ids than events: a cheap first refusal.
  return latest - lastEventId > reach ? null : reach;
}

/**
 * Whether the oldest missed event (its time, ms; undefined when none was missed) is recent
 * enough for the actor: a non-admin's resume reaches no further back than a live stream would.
 */
export function withinWindow(
  actor: Actor,
  window: ResumeWindow,
  oldestMissedAt: number | undefined,
  now: number,
): boolean {
  return (
    actor.role === "admin" || oldestMissedAt === undefined || oldestMissedAt >= now - window.ms
  );
}

export class HistoryService {
  constructor(
    private readonly store: Store,
    /** How long entries are kept; null keeps them for ever. */
    readonly retentionMs: number | null,
    readonly resumeWindow: ResumeWindow = DEFAULT_RESUME_WINDOW,
    /** The newest Version the change bus has delivered with all before it, when it knows. */
    private readonly delivered?: () => number,
  ) {}

  /**
   * An agent sees their own history only, and a topic's if they manage it; an admin anyone's.
   */
  async query(actor: Actor, filter: HistoryFilter): Promise<PresenceEvent[]> {
    if (filter.topicId !== undefined) return this.topicHistory(actor, filter.topicId, filter);
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
   * The changes of the topic's users (in it before or after), as the stream's topic filter
   * picks them, read page by page until `limit` of them are found. A topic's manager may read
   * them: its present agents over time are theirs to watch.
   */
  private async topicHistory(
    actor: Actor,
    topicId: number,
    filter: HistoryFilter,
  ): Promise<PresenceEvent[]> {
    assertMayManage(actor, topicId, await this.store.getMember(topicId, actor.userId));
    const limit = Math.min(filter.limit ?? 1000, HISTORY_PAGE_LIMIT);
    const wanted = { topicId, userId: filter.userId };
    const found: PresenceEvent[] = [];
    for (let afterId: number | undefined; found.length < limit; ) {
      const page = await this.store.queryHistory({
        userId: filter.userId,
        since: filter.since,
        until: filter.until,
        afterId,
        limit: HISTORY_PAGE_LIMIT,
      });
      found.push(...page.filter((event) => matches(wanted, event)));
      if (page.length < HISTORY_PAGE_LIMIT) break;
      afterId = page[page.length - 1].Version;
    }
    return found.slice(0, limit);
  }

  /**
   * The changes after `lastEventId` that match the stream's filter, or null when they can no
   * longer all be replayed (purged, too many, an id this store never gave, or, for a
   * non-admin, older than the resume window) and the client needs a fresh snapshot instead.
   * The window keeps a resume from reaching further back than a live stream would have.
   */
  async backlog(
    actor: Actor,
    lastEventId: number,
    filter: StreamFilter,
    now = Date.now(),
  ): Promise<PresenceEvent[] | null> {
    const [oldest, latest] = await Promise.all([
      this.store.oldestHistoryId(),
      this.latestVersion(),
    ]);
    const reach = resumeReach(actor, this.resumeWindow, { lastEventId, oldest, latest });
    if (reach === null) return null;
    const events = await this.store.queryHistory({ afterId: lastEventId, limit: reach + 1 });
    if (events.length > reach) return null;
    if (!withinWindow(actor, this.resumeWindow, events[0] && Date.parse(events[0].At), now))
      return null;
    // Newer rows reach the stream live, in order, through the bus.
    return events.filter((event) => event.Version <= latest && matches(filter, event));
  }

  /** The Version a stream's snapshot stands for: everything up to it is final. */
  async latestVersion(): Promise<number> {
    return this.delivered ? this.delivered() : this.store.latestHistoryId();
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    return this.retentionMs === null ? 0 : this.store.purgeHistory(now - this.retentionMs);
  }
}
