/**
 * The routing race, on three PostgreSQL nodes over one schema and on SQLite: 20 agents with
 * MaxChats 3 in 4 topics (Offer and Assign, LeastBusy and RoundRobin, one with
 * MaxChatsPerAgent 2), 300 sessions created in bursts through every node while the agents
 * accept, decline, ignore, pick up, transfer, end chats and switch presence at random through
 * every node. The audit checks each routing event as it is recorded and a snapshot of every
 * session every few ms. Then, with everyone present and nobody acting, no session may wait
 * unoffered while an agent is free for it; and with the agents only answering offers and
 * ending chats, the queue must empty: every session assigned exactly once, and ended.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isOngoing } from "../src/domain/session.ts";
import { postgresSkip } from "./support/backends.ts";
import { RoutingAudit } from "./support/routing-audit.ts";
import { Crowd, seeded } from "./support/routing-crowd.ts";
import {
  openWorld,
  type World,
  type WorldBackend,
  type WorldPlan,
} from "./support/routing-world.ts";

const PLAN: WorldPlan = {
  agents: 20,
  maxChats: 3,
  topicsPerAgent: 2,
  sweepMs: 1_000,
  topics: [
    { settings: { mode: "Offer", order: "LeastBusy", offerSeconds: 2, missedOffersBeforeAway: 3 } },
    { settings: { mode: "Offer", order: "RoundRobin", offerSeconds: 2 } },
    { settings: { mode: "Assign", order: "LeastBusy" } },
    { settings: { mode: "Assign", order: "RoundRobin" }, maxChatsPerAgent: 2 },
  ],
};
const BURSTS = 15;
const BURST_SIZE = 20;
const BURST_GAP_MS = 400;
const DRAIN_MS = 25_000;

/** Topics where a session waits unoffered while an agent is free for it (routing stalled). */
async function stalls(world: World): Promise<string[]> {
  const { store } = world.nodes[0];
  const sessions = await store.listSessions({});
  const ids = world.agents.map((a) => a.actor.userId);
  const present = new Set(
    (await store.presenceOf(ids)).filter((p) => p.Present).map((p) => p.UserId),
  );
  const offers = (await Promise.all(world.topics.map((t) => store.topicOffers(t.id)))).flat();
  const ongoing = sessions.filter((s) => isOngoing(s.status));
  const held = (userId: number, topicId?: number) =>
    ongoing.filter((s) => s.user?.id === userId && (topicId === undefined || s.topicId === topicId))
      .length;
  const problems: string[] = [];
  for (const topic of world.topics) {
    const waiting = sessions.filter(
      (s) =>
        s.topicId === topic.id &&
        s.status === "InQueue" &&
        !offers.some((o) => o.chatSessionId === s.id),
    );
    const free = topic.agents.filter(
      (userId) =>
        present.has(userId) &&
        held(userId) < PLAN.maxChats &&
        (topic.maxChatsPerAgent === 0 || held(userId, topic.id) < topic.maxChatsPerAgent) &&
        !offers.some((o) => o.userId === userId),
    );
    if (waiting.length > 0 && free.length > 0)
      problems.push(`topic ${topic.id}: ${waiting.length} unoffered while ${free} are free`);
  }
  return problems;
}

/** Settles every node, then checks for stalls a few times (a lapse may be under way). */
async function assertNoStall(world: World): Promise<void> {
  let problems: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    for (const { services } of world.nodes) await services.routing.settled();
    problems = await stalls(world);
    if (problems.length === 0) return;
    await sleep(300);
  }
  assert.fail(`routing left sessions waiting with agents free: ${problems.join("; ")}`);
}

async function allEnded(world: World): Promise<boolean> {
  const sessions = await world.nodes[0].store.listSessions({});
  return sessions.every((s) => s.status === "Finished");
}

async function race(backend: WorldBackend, nodes: number): Promise<void> {
  const seed = Number(process.env.ROUTING_RACE_SEED ?? Date.now() % 1_000_000);
  const audit = new RoutingAudit();
  const world = await openWorld(backend, nodes, PLAN, audit);
  audit.watch(world);
  const crowd = new Crowd(world, audit, seeded(seed));
  const stopSampling = audit.sample(
    world.nodes.map((n) => n.store),
    5,
  );
  const started = Date.now();
  try {
    let acting = true;
    const agents = world.agents.map((agent) => crowd.agent(agent, () => acting));
    for (let burst = 0; burst < BURSTS; burst++) {
      await crowd.burst(BURST_SIZE);
      await sleep(BURST_GAP_MS);
    }
    await sleep(1_000);
    acting = false;
    await Promise.all(agents);
    await Promise.all(world.agents.map((agent) => crowd.present(agent)));
    await assertNoStall(world);
    let ended = false;
    const watcher = (async () => {
      while (!ended && Date.now() - started < 60_000) {
        ended = await allEnded(world);
        await sleep(100);
      }
    })();
    const until = Date.now() + DRAIN_MS;
    await Promise.all(world.agents.map((agent) => crowd.drain(agent, () => ended, until)));
    await watcher;
    await crowd.answered();
    await audit.checked();
    await stopSampling();
    const sessions = await world.nodes[0].store.listSessions({});
    const report = `seed ${seed}, ${Date.now() - started} ms, ${audit.samples} snapshots, events ${JSON.stringify(Object.fromEntries(audit.counts))}, refusals ${JSON.stringify(Object.fromEntries(crowd.refusals))}`;
    console.log(`routing race on ${backend} (${nodes} node(s)): ${report}`);
    assert.deepEqual(audit.violations, [], report);
    assert.deepEqual(world.failures, [], "no routing pass or sweep failed");
    assert.equal(sessions.length, BURSTS * BURST_SIZE, "every session created");
    const left = sessions.filter((s) => s.status !== "Finished");
    assert.deepEqual(
      left.map((s) => `${s.id}:${s.status}`),
      [],
      `the queue emptied (${report})`,
    );
    for (const s of sessions)
      assert.equal(audit.assigned.get(s.id), 1, `session ${s.id} assigned once`);
    for (const topic of world.topics)
      assert.deepEqual(await world.nodes[0].store.topicOffers(topic.id), []);
    assert.ok(audit.samples >= 50, `the store was sampled (${audit.samples})`);
  } finally {
    await stopSampling();
    await world.close();
  }
}

it("routing race: 300 sessions, 20 agents, 4 topics on sqlite", { timeout: 90_000 }, () =>
  race("sqlite", 1),
);

it(
  "routing race: 300 sessions, 20 agents, 4 topics on three postgres nodes",
  { skip: postgresSkip, timeout: 90_000 },
  () => race("postgres", 3),
);
