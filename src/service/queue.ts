/**
 * The queue seen from outside routing: a topic's waiting sessions with their places and
 * expected waits (agents and managers), the availability a chat widget asks before it offers
 * a chat, and the per-topic figures /metrics reads. Estimates and the offline-form rule are
 * domain/queue.ts; the measurement behind them is the topic's recent accepts (acceptStats).
 */
import { PresenceError } from "../domain/errors.ts";
import type { Actor } from "../domain/presence.ts";
import {
  estimateWaitSeconds,
  offlineFormRule,
  showOfflineForm,
  utilisation,
  type WaitBasis,
} from "../domain/queue.ts";
import { assertMayReadTopic } from "../domain/rights.ts";
import type { ChatTopicRecord, UserRef } from "../domain/topic.ts";
import type { ResponderLoad } from "../store/queue.ts";
import type { Store } from "../store/store.ts";
import type { TopicService } from "./topics.ts";

/** A waiting session and its place in the topic's queue. */
export interface QueuePlace {
  chatSessionId: number;
  /** 1: the next to be routed or picked up. */
  position: number;
  waitingSeconds: number;
  estimatedWaitSeconds: number | null;
  /** The agent the session is offered to now; null when it is not offered. */
  offeredTo: UserRef | null;
  whenRequested: number | null;
}

/** What a chat widget needs to decide between the queue and the offline form. */
export interface TopicAvailability {
  topicId: number;
  open: boolean;
  agentsPresent: number;
  agentsAvailable: number;
  queueLength: number;
  /** The wait expected by a customer who joins the queue now. */
  estimatedWaitSeconds: number | null;
  showOfflineForm: boolean;
}

/** A topic's figures for /metrics. */
export interface TopicQueueGauges {
  topicId: number;
  queueLength: number;
  oldestWaitSeconds: number;
  /** Mean fullness of its present agents with a limit (0 to 1); null when none has one. */
  utilisation: number | null;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly topics: TopicService,
  ) {}

  /** The topic's waiting sessions in routing order (members of the topic and admins). */
  async queue(actor: Actor, topicId: number, now = Date.now()): Promise<QueuePlace[]> {
    await this.requireTopic(topicId);
    assertMayReadTopic(actor, topicId, await this.store.getMember(topicId, actor.userId));
    const [entries, { basis }] = await Promise.all([
      this.store.topicQueue(topicId),
      this.measure(topicId, now),
    ]);
    return entries.map((entry, index) => ({
      chatSessionId: entry.id,
      position: index + 1,
      waitingSeconds: entry.whenRequested === null ? 0 : seconds(now - entry.whenRequested),
      estimatedWaitSeconds: estimateWaitSeconds(index + 1, basis),
      offeredTo: entry.offeredTo,
      whenRequested: entry.whenRequested,
    }));
  }

  /** Aggregates only, for any caller the route lets in (anonymous ones with public availability). */
  async availability(topicId: number, now = Date.now()): Promise<TopicAvailability> {
    const topic = await this.requireTopic(topicId);
    const [open, figures, { basis, agentsAvailable }] = await Promise.all([
      this.topics.isOpen(topicId, new Date(now)),
      this.store.queueFigures(topicId),
      this.measure(topicId, now),
    ]);
    const queueLength = figures[0]?.queueLength ?? 0;
    const estimatedWaitSeconds = estimateWaitSeconds(queueLength + 1, basis);
    const state = { open, agentsPresent: basis.agentsPresent, queueLength, estimatedWaitSeconds };
    return {
      topicId,
      ...state,
      agentsAvailable,
      showOfflineForm: showOfflineForm(state, offlineFormRule(topic.settings)),
    };
  }

  /** Every topic with a session waiting or a present agent with a limit. */
  async gauges(now = Date.now()): Promise<TopicQueueGauges[]> {
    const [figures, loads] = await Promise.all([
      this.store.queueFigures(null),
      this.store.responderLoads(now),
    ]);
    const byTopic = new Map<number, ResponderLoad[]>();
    for (const load of loads) {
      const list = byTopic.get(load.topicId) ?? [];
      list.push(load);
      byTopic.set(load.topicId, list);
    }
    const waiting = new Map(figures.map((f) => [f.topicId, f]));
    const topicIds = [...new Set([...waiting.keys(), ...byTopic.keys()])].sort((a, b) => a - b);
    return topicIds.map((topicId) => {
      const oldest = waiting.get(topicId)?.oldestRequested ?? null;
      return {
        topicId,
        queueLength: waiting.get(topicId)?.queueLength ?? 0,
        oldestWaitSeconds: oldest === null ? 0 : seconds(now - oldest),
        utilisation: utilisation(byTopic.get(topicId) ?? []),
      };
    });
  }

  /** The estimate's basis now, and the agents routing could choose (AgentsAvailable). */
  private async measure(topicId: number, now: number) {
    const [accepts, agentsPresent, available, offers] = await Promise.all([
      this.store.acceptStats(topicId),
      this.store.presentResponders(topicId, now),
      this.store.availableAgents(topicId, now),
      this.store.topicOffers(topicId),
    ]);
    const basis: WaitBasis = {
      secondsPerAccept: accepts.secondsPerAccept,
      agentsPresent,
      // An agent holding one of the topic's offers is about to take a session of it.
      agentsServing: available.length + offers.length,
    };
    return { basis, agentsAvailable: available.length };
  }

  private async requireTopic(id: number): Promise<ChatTopicRecord> {
    const topic = await this.store.getTopic(id);
    if (!topic) throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: id });
    return topic;
  }
}
