/**
 * The routing race's referee. As an event sink it checks every routing decision the moment a
 * node records it: a session assigned at most once, only to a CanRespond member of its topic,
 * offers and assignments never to an agent while they are away (the intervals the agents'
 * own drivers know of), no load event over a limit. As a sampler it reads every session in
 * one statement, again and again while the race runs, and checks each snapshot: no agent over
 * MaxChats or a topic's MaxChatsPerAgent, no ongoing chat held by a non-member. Violations are
 * collected, never thrown (a sink's failure would be swallowed by the node).
 */

import type { RoutingEventInput, RoutingEventSink } from "../../src/domain/routing-event.ts";
import type { ChatSessionRecord } from "../../src/domain/session.ts";
import { isOngoing } from "../../src/domain/session.ts";
import type { Store } from "../../src/store/store.ts";
import type { World } from "./routing-world.ts";

export class RoutingAudit implements RoutingEventSink {
  readonly violations: string[] = [];
  readonly counts = new Map<string, number>();
  /** Who holds each session, as the events say (for the agents to choose what to act on). */
  readonly holders = new Map<number, number>();
  /** Sessions queued and not yet assigned, as the events say. */
  readonly waiting = new Map<number, number>();
  readonly assigned = new Map<number, number>();
  samples = 0;
  /** Told of every offer as it is recorded (an agent's app that answers from its stream). */
  onOffered: (chatSessionId: number, userId: number) => void = () => undefined;
  private world: World | null = null;
  private readonly reads = new Set<Promise<void>>();
  private readonly away = new Map<number, { from: number; until: number }[]>();

  watch(world: World): void {
    this.world = world;
  }

  async record(events: readonly RoutingEventInput[]): Promise<void> {
    for (const event of events) this.check(event);
  }

  /** The agent's driver saw their save of Present false acknowledged at `at`. */
  wentAway(userId: number, at = Date.now()): void {
    const list = this.away.get(userId) ?? [];
    list.push({ from: at, until: Number.POSITIVE_INFINITY });
    this.away.set(userId, list);
  }

  /** The agent's driver is about to save Present true. */
  cameBack(userId: number, at = Date.now()): void {
    const last = this.away.get(userId)?.at(-1);
    if (last && last.until === Number.POSITIVE_INFINITY) last.until = at;
  }

  fail(text: string): void {
    if (this.violations.length < 50) this.violations.push(text);
  }

  private awayAt(userId: number, at: number): boolean {
    return (this.away.get(userId) ?? []).some((gap) => at > gap.from && at < gap.until);
  }

  private member(topicId: number, userId: number | null): boolean {
    const topic = this.world?.topics.find((t) => t.id === topicId);
    return userId !== null && (topic?.agents.includes(userId) ?? false);
  }

  private check(event: RoutingEventInput): void {
    const key = `${event.type}${event.detail.how ? `:${event.detail.how}` : ""}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const { chatSessionId: id, userId, topicId, at } = event;
    const what = `${key} of session ${id} to ${userId} in topic ${topicId}`;
    if (event.type === "queued" && id !== null && !this.assigned.has(id))
      this.waiting.set(id, topicId);
    if (event.type === "offered" || event.type === "assigned" || event.type === "transferred") {
      if (!this.member(topicId, userId)) this.fail(`${what}: not a responder there`);
    }
    const routed = event.type === "offered" || event.detail.how === "assign";
    if (routed && userId !== null && this.awayAt(userId, at)) this.fail(`${what}: agent away`);
    if (event.type === "offered" && id !== null && userId !== null) this.onOffered(id, userId);
    if (event.type === "assigned" && id !== null) {
      const times = (this.assigned.get(id) ?? 0) + 1;
      this.assigned.set(id, times);
      if (times > 1) this.fail(`${what}: assigned ${times} times`);
      this.waiting.delete(id);
    }
    if ((event.type === "assigned" || event.type === "transferred") && id !== null && userId) {
      this.holders.set(id, userId);
      this.readLoad(userId, what);
    }
    if (event.type === "capacity" && userId !== null) {
      const agent = this.world?.agents.find((a) => a.actor.userId === userId);
      const ongoing = event.detail.ongoingChats as number;
      if (agent && ongoing > agent.maxChats)
        this.fail(`capacity of ${userId}: ${ongoing} ongoing over MaxChats ${agent.maxChats}`);
    }
  }

  /** Reads the agent's OngoingChats right after they were given a chat: within MaxChats. */
  private readLoad(userId: number, what: string): void {
    const agent = this.world?.agents.find((a) => a.actor.userId === userId);
    const nodes = this.world?.nodes ?? [];
    if (!agent || nodes.length === 0) return;
    const { store } = nodes[this.reads.size % nodes.length];
    const read = store
      .presenceOf([userId])
      .then(([row]) => {
        if (row.OngoingChats > agent.maxChats)
          this.fail(`${what}: ${row.OngoingChats} ongoing over MaxChats ${agent.maxChats}`);
      })
      .catch((error) => this.fail(`${what}: reading the load failed: ${error}`));
    this.reads.add(read);
    void read.finally(() => this.reads.delete(read));
  }

  /** Resolves once every read started by an event has been checked. */
  async checked(): Promise<void> {
    while (this.reads.size > 0) await Promise.all([...this.reads]);
  }

  /** Checks one consistent snapshot of every session against the limits and memberships. */
  checkSnapshot(sessions: readonly ChatSessionRecord[]): void {
    if (!this.world) return;
    this.samples++;
    const total = new Map<number, number>();
    const perTopic = new Map<string, number>();
    for (const s of sessions) {
      if (!isOngoing(s.status)) continue;
      const holder = s.user?.id ?? null;
      if (holder === null || !this.member(s.topicId, holder)) {
        this.fail(`session ${s.id} ongoing with ${holder}, not a member of ${s.topicId}`);
        continue;
      }
      total.set(holder, (total.get(holder) ?? 0) + 1);
      const key = `${holder}@${s.topicId}`;
      perTopic.set(key, (perTopic.get(key) ?? 0) + 1);
    }
    for (const agent of this.world.agents) {
      const held = total.get(agent.actor.userId) ?? 0;
      if (held > agent.maxChats)
        this.fail(`agent ${agent.actor.userId} holds ${held} chats, MaxChats ${agent.maxChats}`);
    }
    for (const topic of this.world.topics) {
      if (topic.maxChatsPerAgent === 0) continue;
      for (const userId of topic.agents) {
        const held = perTopic.get(`${userId}@${topic.id}`) ?? 0;
        if (held > topic.maxChatsPerAgent)
          this.fail(`agent ${userId} holds ${held} in topic ${topic.id}, over its limit`);
      }
    }
  }

  /** Samples the stores in turn until `stop` is called; resolves when it has stopped. */
  sample(stores: readonly Store[], gapMs: number): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        this.checkSnapshot(await stores[i % stores.length].listSessions({}));
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }
}
