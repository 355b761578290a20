/**
 * One routing pass over a topic: while sessions wait unoffered and agents are available, the
 * oldest session goes to the agent the topic's order puts first, offered (Offer) or assigned
 * (Assign). The store decides each step atomically; a step another node won is simply
 * re-read. Runs of one topic on this node never overlap: a request while one runs marks it to
 * run once more after, so nothing requested is lost and nothing runs twice at once.
 */
import { bindingLoad } from "../domain/capacity.ts";
import type { ChangeOrigin } from "../domain/presence.ts";
import {
  orderCandidates,
  type RoutingCandidate,
  type RoutingOffer,
  routes,
} from "../domain/routing.ts";
import type { RoutingEventInput } from "../domain/routing-event.ts";
import type { QueuedSession, TopicRouting } from "../store/routing.ts";
import type { Store } from "../store/store.ts";
import type { PresenceService } from "./presence.ts";
import { assignedEvent, routingEvent } from "./routing-sessions.ts";

/** Sessions read per step: enough for a burst, few enough that a step stays short. */
const QUEUE_BATCH = 100;
/** Re-reads per pass when steps lose to other nodes; the sweep picks up anything left. */
const MAX_STEPS = 1_000;

export const ROUTING_ORIGIN: ChangeOrigin = { source: "routing", changedBy: null };

export interface RunHooks {
  record(events: RoutingEventInput[]): Promise<void>;
  /** An offer made here: its node also lapses it on time. */
  offered(offer: RoutingOffer): void;
  onError(error: unknown): void;
}

export class TopicRuns {
  private readonly runs = new Map<number, Promise<void>>();
  private readonly again = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
    private readonly hooks: RunHooks,
  ) {}

  /** Routes the topic now, or once more after the pass under way; resolves when done. */
  kick(topicId: number): Promise<void> {
    const running = this.runs.get(topicId);
    if (running) {
      this.again.add(topicId);
      return running;
    }
    const run = (async () => {
      do {
        this.again.delete(topicId);
        await this.pass(topicId).catch(this.hooks.onError);
      } while (this.again.has(topicId));
      this.runs.delete(topicId);
    })();
    this.runs.set(topicId, run);
    return run;
  }

  /** Resolves once no pass is running or due (tests wait on it). */
  async settled(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs.values()]);
  }

  private async pass(topicId: number): Promise<void> {
    const routing = await this.store.getTopicRouting(topicId);
    if (!routing || !routes(routing.settings.mode)) return;
    for (let step = 0; step < MAX_STEPS; step++) {
      const queue = await this.store.unofferedQueue(topicId, QUEUE_BATCH);
      if (queue.length === 0) return;
      const agents = await this.store.availableAgents(topicId, Date.now());
      if (agents.length === 0) return;
      if (!(await this.giveAll(routing, queue, agents))) return;
    }
  }

  /**
   * Gives the sessions, oldest first, to the agents while both last. True when a step lost to
   * a change made elsewhere, so the caller reads again; false when the queue or agents ran out.
   * Presence and the events of the whole batch are reported once, after it.
   */
  private async giveAll(
    routing: TopicRouting,
    queue: QueuedSession[],
    agents: RoutingCandidate[],
  ): Promise<boolean> {
    const batch: Batch = { events: [], assigned: new Set() };
    try {
      let available = agents;
      for (const session of queue) {
        if (available.length === 0) return false;
        const first = await this.choose(routing, session, available);
        if (!(await this.give(routing, session, first, batch))) return true;
        routing.lastChosen = first.userId;
        available =
          routing.settings.mode === "Offer" ? without(available, first) : fuller(available, first);
      }
      return true;
    } finally {
      if (batch.assigned.size > 0) {
        await this.presence.usersChanged([...batch.assigned], ROUTING_ORIGIN);
      }
      await this.hooks.record(batch.events);
    }
  }

  /**
   * The agent the order puts first, among those who have not passed the session over yet
   * (declined, or let it lapse): a session goes round everyone before it comes back.
   */
  private async choose(
    routing: TopicRouting,
    session: QueuedSession,
    available: RoutingCandidate[],
  ): Promise<RoutingCandidate> {
    const passed = routing.settings.mode === "Offer" ? await this.store.passesOf(session.id) : [];
    const fresh = available.filter((a) => !passed.includes(a.userId));
    const from = fresh.length > 0 ? fresh : available;
    return orderCandidates(routing.settings.order, from, routing.lastChosen)[0];
  }

  /** One step: the session to the agent; false when the store found either changed. */
  private async give(
    routing: TopicRouting,
    session: QueuedSession,
    agent: RoutingCandidate,
    batch: Batch,
  ): Promise<boolean> {
    const now = Date.now();
    const { id, topicId } = session;
    if (routing.settings.mode === "Offer") {
      const expiresAt = now + routing.settings.offerSeconds * 1000;
      const offer = await this.store.offerSession(id, agent.userId, now, expiresAt);
      if (!offer) return false;
      this.hooks.offered(offer);
      batch.events.push(routingEvent("offered", topicId, id, agent.userId, now, { expiresAt }));
      return true;
    }
    const taken = await this.store.assignSession(id, agent.userId, now);
    if (!("session" in taken)) return false;
    batch.assigned.add(agent.userId);
    batch.events.push(
      assignedEvent(taken.session, agent.userId, now, "assign"),
      routingEvent("capacity", topicId, null, agent.userId, now, bindingLoad(withOneMore(agent))),
    );
    return true;
  }
}

/** What one batch of steps did: its events, and the agents whose OngoingChats it changed. */
interface Batch {
  events: RoutingEventInput[];
  assigned: Set<number>;
}

function without(agents: RoutingCandidate[], agent: RoutingCandidate): RoutingCandidate[] {
  return agents.filter((a) => a.userId !== agent.userId);
}

/** The agents after one more chat for `agent`, who drops out at their limit. */
function fuller(agents: RoutingCandidate[], agent: RoutingCandidate): RoutingCandidate[] {
  const next = { ...withOneMore(agent), lastAssignedAt: Date.now() };
  const binding = bindingLoad(next);
  const full = binding.limitOf !== null && binding.ongoingChats >= binding.limit;
  return agents.flatMap((a) => (a.userId !== agent.userId ? [a] : full ? [] : [next]));
}

/** The agent with one more ongoing chat in the topic. */
function withOneMore(agent: RoutingCandidate): RoutingCandidate {
  return {
    ...agent,
    ongoingChats: agent.ongoingChats + 1,
    ongoingInTopic: agent.ongoingInTopic + 1,
  };
}
