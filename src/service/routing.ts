/**
 * Routing for every protocol: a topic's settings, an agent's offers (accept, decline), and the
 * reactions that keep the queue moving. Routing re-runs for a topic whenever a session is
 * queued, an agent may have become available (presence on, a chat ended, rights or a limit
 * changed) or an offer ends; the sweep (jobs/routing-sweep.ts) catches what other nodes did.
 * The services it reacts to call it through listener sets, so none of them imports routing.
 */
import { PresenceError } from "../domain/errors.ts";
import type { Actor, PresenceEvent } from "../domain/presence.ts";
import { assertMayManage } from "../domain/rights.ts";
import {
  type RoutingInput,
  type RoutingOffer,
  type RoutingSettings,
  readRouting,
  routes,
} from "../domain/routing.ts";
import type { RoutingEventInput, RoutingEventSink } from "../domain/routing-event.ts";
import type { LapsedOffer, RefusedTake } from "../store/routing.ts";
import type { Store } from "../store/store.ts";
import { Listeners } from "./listeners.ts";
import type { PresenceService } from "./presence.ts";
import { ROUTING_ORIGIN, TopicRuns } from "./routing-run.ts";
import {
  assignedEvent,
  loadEvent,
  routingEvent,
  sessionEvents,
  withdrawnEvent,
} from "./routing-sessions.ts";
import { atCapacity, type SessionChange } from "./sessions.ts";

/** What GET/PUT /ChatTopic/{id}/Routing carry. */
export interface TopicRoutingView {
  settings: RoutingSettings;
  maxChatsPerAgent: number;
}

export class RoutingService {
  /** Background failures (a sweep, a lapse timer); the server points this at its log. */
  onError: (error: unknown) => void = () => undefined;
  /** Every decision as recorded, told once on the node that made it (metrics count them). */
  readonly decided = new Listeners<readonly RoutingEventInput[]>();
  private readonly runs: TopicRuns;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;
  /**
   * False once a sweep found no topic routing (the default everywhere): presence saves then
   * skip withdrawing offers, which cannot exist, and routing passes, which would find no topic
   * to route (a pass per topic of every agent coming present cost a save more than its history
   * rows). A topic set to route here makes it true at once; one set on another node, by the
   * next sweep, which routes every routed topic and withdraws offers no longer acceptable, so
   * covering the second between.
   */
  private routingInUse = true;

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly sink: RoutingEventSink,
  ) {
    this.runs = new TopicRuns(store, presence, {
      record: (events) => this.record(events),
      offered: (offer) => this.lapseAt(offer.expiresAt),
      onError: (error) => this.onError(error),
    });
  }

  async settings(actor: Actor, topicId: number): Promise<TopicRoutingView> {
    const topic = await this.store.getTopic(topicId);
    const routing = await this.store.getTopicRouting(topicId);
    if (!topic || !routing) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId });
    assertMayManage(actor, topicId, await this.store.getMember(topicId, actor.userId));
    return { settings: routing.settings, maxChatsPerAgent: topic.maxChatsPerAgent };
  }

  /** Sets what the body gives (the rest keeps its value), then routes the topic by it. */
  async setSettings(actor: Actor, topicId: number, input: RoutingInput): Promise<TopicRoutingView> {
    const stored = await this.settings(actor, topicId);
    const next = readRouting(input, stored.settings, stored.maxChatsPerAgent);
    await this.store.setRoutingSettings(topicId, next.settings);
    if (routes(next.settings.mode)) this.routingInUse = true;
    if (next.maxChatsPerAgent !== stored.maxChatsPerAgent) {
      await this.store.setMaxChatsPerAgent(topicId, next.maxChatsPerAgent);
    }
    await this.runs.kick(topicId);
    return next;
  }

  /** The caller's open offers. */
  offers(actor: Actor): Promise<RoutingOffer[]> {
    return this.store.offersOf(actor.userId);
  }

  /** Takes the session offered to the caller; 409 when the offer is gone or they are full. */
  async accept(actor: Actor, chatSessionId: number) {
    const now = Date.now();
    const result = await this.store.acceptOffer(chatSessionId, actor.userId, now);
    if (!("session" in result)) throw await this.refusal(actor, chatSessionId, result.refused);
    const { session } = result;
    await this.presence.usersChanged([actor.userId], {
      source: "session",
      changedBy: actor.userId,
    });
    await this.record([
      assignedEvent(session, actor.userId, now, "offer"),
      await loadEvent(this.store, actor.userId, session.topicId, now),
    ]);
    void this.runs.kick(session.topicId);
    return session;
  }

  /** Lets an offer to the caller pass: it goes to the next available agent. */
  async decline(actor: Actor, chatSessionId: number): Promise<void> {
    const offer = await this.store.declineOffer(chatSessionId, actor.userId);
    if (!offer) throw await this.refusal(actor, chatSessionId, "no_offer");
    await this.record([
      routingEvent("declined", offer.topicId, chatSessionId, actor.userId, Date.now()),
    ]);
    await this.runs.kick(offer.topicId);
  }

  /** Routes a topic now (or once more after the pass under way); resolves when done. */
  route(topicId: number): Promise<void> {
    return this.runs.kick(topicId);
  }

  /** Resolves once no routing pass or recording is running or due on this node. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.runs.settled();
  }

  /**
   * A session changed through the session service: a queued one is routed, one that left the
   * queue another way (picked up, closed, deleted) loses its offer at once, told as withdrawn
   * so no stream keeps it, and the change is recorded.
   */
  async sessionChanged(change: SessionChange): Promise<void> {
    const session = change.after ?? change.before;
    if (!session) return;
    const leftQueue = change.before?.status === "InQueue" && change.after?.status !== "InQueue";
    const offer = leftQueue
      ? (change.endedOffer ?? (await this.store.withdrawSessionOffer(session.id)))
      : null;
    // The rest need not hold up the request that made the change.
    const at = Date.now();
    this.background(async () => {
      const ended = offer ? [withdrawnEvent(offer, at)] : [];
      await this.record([...ended, ...(await sessionEvents(this.store, change, at))]);
      void this.runs.kick(session.topicId);
    });
  }

  /**
   * Presence changed on this node: agents gone have their offers withdrawn at once (one
   * write for the whole change); one who came, got topics or finished a chat may take a
   * queued session in their topics.
   */
  async presenceChanged(events: readonly PresenceEvent[]): Promise<void> {
    if (!this.routingInUse) return;
    const gone: number[] = [];
    for (const event of events) {
      const before = event.Previous;
      if (!event.Present && before?.Present) gone.push(event.UserId);
      else if (
        event.Present &&
        (!before?.Present ||
          event.OngoingChats < before.OngoingChats ||
          event.ChatTopics.join() !== before.ChatTopics.join())
      ) {
        for (const topicId of event.ChatTopics) void this.runs.kick(topicId);
      }
    }
    if (gone.length > 0) {
      await this.withdrawn(await this.store.withdrawAgentOffers(gone));
    }
  }

  /** A user's rights or limits changed: route every topic they belong to. */
  async agentChanged(userId: number): Promise<void> {
    for (const topicId of (await this.store.rightsOf(userId)).keys()) void this.runs.kick(topicId);
  }

  /** One sweep: lapse what expired, withdraw what cannot be accepted, route every routed topic. */
  async sweep(now = Date.now()): Promise<void> {
    await this.lapseDue(now);
    await this.withdrawn(await this.store.withdrawStaleOffers(now));
    const routed = await this.store.routedTopicIds();
    this.routingInUse = routed.length > 0;
    await Promise.all(routed.map((id) => this.runs.kick(id)));
  }

  /** Lapses the offers expired at `now`; an agent at the topic's missed-offer count is set absent. */
  async lapseDue(now = Date.now()): Promise<LapsedOffer[]> {
    const lapsed = await this.store.lapseOffers(now);
    for (const offer of lapsed) {
      await this.record([
        routingEvent("offer_lapsed", offer.topicId, offer.chatSessionId, offer.userId, now, {
          reason: "expired",
          missedOffers: offer.missedOffers,
        }),
      ]);
      await this.awayIfGhost(offer);
    }
    for (const topicId of new Set(lapsed.map((o) => o.topicId))) void this.runs.kick(topicId);
    return lapsed;
  }

  /** Stops the lapse timers of this node's offers (the sweep lapses them after a restart). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async awayIfGhost(offer: LapsedOffer): Promise<void> {
    const routing = await this.store.getTopicRouting(offer.topicId);
    const limit = routing?.settings.missedOffersBeforeAway ?? 0;
    if (limit === 0 || offer.missedOffers < limit) return;
    await this.store.resetMissedOffers(offer.userId);
    await this.presence.saveAs([{ userId: offer.userId, present: false }], ROUTING_ORIGIN);
  }

  /** Offers ended because they could not be accepted any more: recorded, their topics routed. */
  private async withdrawn(offers: RoutingOffer[]): Promise<void> {
    const now = Date.now();
    await this.record(offers.map((offer) => withdrawnEvent(offer, now)));
    for (const topicId of new Set(offers.map((o) => o.topicId))) void this.runs.kick(topicId);
  }

  /** This node lapses its own offers at their ExpiresAt (the sweep is the fallback). */
  private lapseAt(expiresAt: number): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.background(async () => {
          await this.lapseDue();
        });
      },
      // A few ms late, so the clock read when it fires is surely past the expiry.
      Math.max(0, expiresAt - Date.now()) + 5,
    );
    timer.unref();
    this.timers.add(timer);
  }

  private async refusal(actor: Actor, chatSessionId: number, why: RefusedTake) {
    if (why === "at_capacity") {
      const session = await this.store.getSession(chatSessionId);
      // The refused accept ended the offer all the same: recorded, and the session goes on now.
      if (session) {
        const offer = { chatSessionId, topicId: session.topicId, userId: actor.userId };
        await this.record([withdrawnEvent(offer, Date.now())]);
        void this.runs.kick(session.topicId);
      }
      return atCapacity(this.store, actor.userId, session?.topicId ?? null);
    }
    return new PresenceError("PRES_ERR_NO_OFFER", {
      sessionId: chatSessionId,
      user: actor.username,
    });
  }

  /** Work after the answer: kept until done, so settled() waits for it; failures are reported. */
  private background(work: () => Promise<void>): void {
    const run = work()
      .catch((error) => this.onError(error))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  private async record(events: RoutingEventInput[]): Promise<void> {
    if (events.length === 0) return;
    await this.decided.notify(events);
    await this.sink.record(events).catch((error) => this.onError(error));
  }
}
