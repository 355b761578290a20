/**
 * Routing events: what routing decided. `record` writes them to the store's log, where they
 * get their ids, hands them to every node's streams through the routing bus, and to the
 * listeners of this node (webhooks enqueue there, so a webhook fires once per cluster).
 * `follow` is a stream's view: the events missed since Last-Event-ID, then live ones, only of
 * the topics the caller may see (administrators: all; others: where they hold CanListen,
 * CanRespond or CanManage, re-read every few seconds so a right taken away stops the events).
 */
import { PresenceError } from "../domain/errors.ts";
import type { Actor } from "../domain/presence.ts";
import { isAdmin, mayFollowRouting } from "../domain/rights.ts";
import type { RoutingEvent, RoutingEventInput, RoutingEventSink } from "../domain/routing-event.ts";
import type { RoutingEventBus } from "../events/routing.ts";
import type { Store } from "../store/store.ts";
import {
  DEFAULT_RESUME_WINDOW,
  HISTORY_PAGE_LIMIT,
  type ResumeWindow,
  resumeReach,
  withinWindow,
} from "./history.ts";
import { Listeners } from "./listeners.ts";

/** How long a stream trusts the rights it read before reading them again. */
const RIGHTS_TTL_MS = 5000;

export interface RoutingEventOptions {
  /** How long events are kept; null keeps them for ever. */
  retentionMs: number | null;
  /** How far back a non-admin's stream may resume. */
  resumeWindow?: ResumeWindow;
  /** Where a failed cross-node notification goes (the events are stored all the same). */
  onError?: (error: unknown) => void;
}

/** A read of the log over a time span: a topic's queue as it was, for charts. */
export interface RoutingEventRead {
  /** Only this topic's events (non-admins: a topic they may follow). */
  topicId?: number;
  /** From this time (ms), inclusive. */
  since?: number;
  /** Only events with a larger id: the last id of the page before. */
  afterId?: number;
  /** At most this many (default 1,000, at most HISTORY_PAGE_LIMIT). */
  limit?: number;
}

export interface FollowOptions {
  /** Only this topic's events. */
  topicId?: number;
  /** Resume after this event id. */
  lastEventId?: number;
  now?: number;
}

/** A stream's feed: the backlog to send first, then the live events. */
export interface RoutingFollow {
  /** Missed events since Last-Event-ID, oldest first; null when they can no longer be replayed. */
  backlog: RoutingEvent[] | null;
  /** Starts handing on live events (those that came while the backlog was read, first). */
  live(send: (events: RoutingEvent[]) => void): void;
  stop(): void;
}

/** The topics a stream carries: null is every topic. */
type TopicScope = ReadonlySet<number> | null;

export class RoutingEventService implements RoutingEventSink {
  /** Called, awaited, with each batch recorded on this node (never with other nodes'). */
  readonly localRecords = new Listeners<readonly RoutingEvent[]>();
  private readonly resumeWindow: ResumeWindow;

  constructor(
    private readonly store: Store,
    private readonly bus: RoutingEventBus,
    private readonly options: RoutingEventOptions,
  ) {
    this.resumeWindow = options.resumeWindow ?? DEFAULT_RESUME_WINDOW;
  }

  async record(events: readonly RoutingEventInput[]): Promise<void> {
    if (events.length === 0) return;
    const recorded = await this.store.appendRoutingEvents(events);
    // Stored is what counts: a lost notification costs the other nodes one poll, not events.
    await this.bus.publish(recorded).catch((error) => this.options.onError?.(error));
    await this.localRecords.notify(recorded);
  }

  /**
   * Opens a stream's feed. A topic the caller may not see is refused (403) before anything is
   * sent; without a topic, a non-admin gets the topics they may see and no others.
   */
  async follow(actor: Actor, options: FollowOptions = {}): Promise<RoutingFollow> {
    const scope = await this.loadScope(actor, options.topicId);
    const buffered: RoutingEvent[] = [];
    let take: ((events: readonly RoutingEvent[]) => void) | null = null;
    const stop = await this.bus.subscribe((events) => {
      if (take) take(events);
      else buffered.push(...events);
    });
    try {
      const position = this.bus.delivered() ?? (await this.store.latestRoutingEventId());
      const backlog =
        options.lastEventId === undefined
          ? []
          : await this.backlog(actor, scope, options.lastEventId, position, options.now);
      return {
        backlog,
        live: (send) => {
          take = scope.feed(position, send);
          take(buffered.splice(0));
        },
        stop,
      };
    } catch (error) {
      stop();
      throw error;
    }
  }

  /** Stored events, oldest first, of the topics the caller may follow (as a stream would carry). */
  async read(actor: Actor, options: RoutingEventRead): Promise<RoutingEvent[]> {
    const scope = await this.loadScope(actor, options.topicId);
    return this.store.routingEventsSince({
      afterId: options.afterId ?? 0,
      topicIds: scope.topicIds(),
      since: options.since,
      limit: Math.min(options.limit ?? 1000, HISTORY_PAGE_LIMIT),
    });
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const { retentionMs } = this.options;
    return retentionMs === null ? 0 : this.store.purgeRoutingEvents(now - retentionMs);
  }

  /** The events after `lastEventId` up to `position` in scope, or null (see resumeReach). */
  private async backlog(
    actor: Actor,
    scope: RightsScope,
    lastEventId: number,
    latest: number,
    now = Date.now(),
  ): Promise<RoutingEvent[] | null> {
    const oldest = await this.store.oldestRoutingEventId();
    const reach = resumeReach(actor, this.resumeWindow, { lastEventId, oldest, latest });
    if (reach === null) return null;
    const events = await this.store.routingEventsSince({
      afterId: lastEventId,
      topicIds: scope.topicIds(),
      limit: reach + 1,
    });
    if (events.length > reach) return null;
    if (!withinWindow(actor, this.resumeWindow, events[0]?.at, now)) return null;
    // Newer events reach the stream live, in order, through the bus.
    return events.filter((event) => event.id <= latest);
  }

  /** The topics the caller may follow, read now; a topic asked for outside them is 403. */
  private async loadScope(actor: Actor, topicId: number | undefined): Promise<RightsScope> {
    const scope = new RightsScope(() => this.scopeOf(actor, topicId));
    await scope.load();
    if (topicId !== undefined && !scope.allowsTopic(topicId))
      throw new PresenceError("PRES_ERR_NOT_MEMBER", { topicId });
    return scope;
  }

  private async scopeOf(actor: Actor, topicId: number | undefined): Promise<TopicScope> {
    if (isAdmin(actor)) return topicId === undefined ? null : new Set([topicId]);
    const rights = await this.store.rightsOf(actor.userId);
    const visible = [...rights].filter(([, r]) => mayFollowRouting(actor, r)).map(([id]) => id);
    return new Set(topicId === undefined ? visible : visible.filter((id) => id === topicId));
  }
}

/** A stream's topics, read again once they are older than RIGHTS_TTL_MS. */
class RightsScope {
  private topics: TopicScope = new Set();
  private loadedAt = 0;

  constructor(private readonly read: () => Promise<TopicScope>) {}

  async load(): Promise<void> {
    this.topics = await this.read();
    this.loadedAt = Date.now();
  }

  allowsTopic(topicId: number): boolean {
    return this.topics === null || this.topics.has(topicId);
  }

  topicIds(): number[] | undefined {
    return this.topics === null ? undefined : [...this.topics];
  }

  /**
   * The live feed: events above `position` in scope, handed on in the order they came, each
   * batch after the rights are fresh (a failed re-read keeps the ones read before).
   */
  feed(position: number, send: (events: RoutingEvent[]) => void) {
    let chain = Promise.resolve();
    return (events: readonly RoutingEvent[]) => {
      if (events.length === 0) return;
      chain = chain.then(async () => {
        if (Date.now() - this.loadedAt > RIGHTS_TTL_MS) await this.load().catch(() => undefined);
        const out = events.filter((e) => e.id > position && this.allowsTopic(e.topicId));
        if (out.length > 0) send(out);
      });
    };
  }
}
