/**
 * Routing: how long a queued session waits for routing to offer or assign it, and how fast a
 * burst is given out. Measured in this process over the real store and services (bench/lib/
 * routing.ts), with every node's routing sweep running as on a server.
 * - Queued → offer / assignment: sessions created one after another (10 ms apart) in a topic
 *   of 20 present agents; each timed from the create call to routing's decision, then
 *   accepted (Offer) and ended, so every agent stays available. On PostgreSQL the session is
 *   queued through node A and read back through node B (B's Routing/Offers for the agent, or
 *   the session through B): the time counts until B's answer shows the offer or assignment.
 *   Targets: p99 under 20 ms on SQLite, under 100 ms across PostgreSQL nodes.
 * - Burst: 1,000 sessions created at once (through both nodes on PostgreSQL) in an Assign
 *   topic of 100 agents with MaxChats 5: the time until the 500 that fit are assigned. Target
 *   on SQLite: within 2 s; PostgreSQL is reported.
 */
import type { RoutingMode } from "../../src/domain/routing.ts";
import type { BenchContext, Suite, Target } from "../lib/harness.ts";
import { percentile } from "../lib/load.ts";
import { BENCH_PG_URL, postgresUnavailable, scratchSchema } from "../lib/postgres.ts";
import {
  agentActor,
  openRoutingNodes,
  ROUTED_TOPIC,
  type RoutingBenchNodes,
} from "../lib/routing.ts";

const SQLITE_P99_MS = 20;
const POSTGRES_P99_MS = 100;
const BURST = { sessions: 1_000, agents: 100, maxChats: 5, withinMs: 2_000 };
const LATENCY_AGENTS = 20;

export const ROUTING_CASES = {
  sqliteOffer: "Routing queued → offer (SQLite)",
  sqliteAssign: "Routing queued → assignment (SQLite)",
  sqliteBurst: "Routing burst: 1,000 sessions, 100 agents × 5 (SQLite)",
};
export const ROUTING_POSTGRES_CASES = {
  offer: "Routing queued on A → offer seen on B (PostgreSQL)",
  assign: "Routing queued on A → assignment seen on B (PostgreSQL)",
  burst: "Routing burst: 1,000 sessions, 100 agents × 5 (PostgreSQL, 2 nodes)",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const customer = (n: number) => ({ topicId: ROUTED_TOPIC, customer: { name: `Customer ${n}` } });

/** Whether node B's answer shows the session offered or assigned to the agent. */
async function seenOnB(world: RoutingBenchNodes, mode: RoutingMode, id: number, userId: number) {
  const b = world.nodes[world.nodes.length - 1];
  const actor = agentActor(userId);
  if (mode === "Offer")
    return (await b.routing.offers(actor)).some((offer) => offer.chatSessionId === id);
  return (await b.sessions.get(actor, id)).user?.id === userId;
}

/** Sessions one after another: from the create call to the decision (and to B seeing it). */
async function timeDecisions(ctx: BenchContext, world: RoutingBenchNodes, mode: RoutingMode) {
  const count = ctx.options.quick ? 30 : Math.round(ctx.options.duration * 50);
  const [a] = world.nodes;
  const b = world.nodes[world.nodes.length - 1];
  const decided: number[] = [];
  const seen: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const session = await a.sessions.create(customer(i));
    const { at, userId } = await world.sink.arrival(session.id);
    decided.push(at - started);
    if (!(await seenOnB(world, mode, session.id, userId)))
      throw new Error(
        `session ${session.id} not ${mode === "Offer" ? "offered" : "assigned"} on B`,
      );
    seen.push(performance.now() - started);
    const actor = agentActor(userId);
    if (mode === "Offer") await b.routing.accept(actor, session.id);
    await b.sessions.save(actor, session.id, { status: "Finished" });
    await sleep(10);
  }
  const used = process.cpuUsage(cpu);
  return {
    decided: decided.sort((x, y) => x - y),
    seen: seen.sort((x, y) => x - y),
    cpuMicros: (used.user + used.system) / count,
  };
}

async function measureLatency(
  ctx: BenchContext,
  name: string,
  db: string | null,
  mode: RoutingMode,
  maxP99Ms: number,
): Promise<void> {
  if (!ctx.wants(name)) return;
  const nodes = db === null ? 1 : 2;
  const world = await openRoutingNodes(db, nodes, {
    agents: LATENCY_AGENTS,
    maxChats: 3,
    routing: { Mode: mode, Order: "LeastBusy" },
  });
  try {
    const { decided, seen, cpuMicros } = await timeDecisions(ctx, world, mode);
    const shown = nodes > 1 ? seen : decided;
    ctx.record({
      name,
      server: nodes > 1 ? "bench process: 2 nodes" : "bench process",
      reqPerSec: null,
      p50: percentile(shown, 0.5),
      p99: percentile(shown, 0.99),
      cpuMicros,
      rssBytes: process.memoryUsage().rss,
      target: { maxP99Ms },
      detail:
        `${decided.length} sessions; routing's decision p50 ${percentile(decided, 0.5).toFixed(2)} ms, ` +
        `p99 ${percentile(decided, 0.99).toFixed(2)} ms${nodes > 1 ? "; shown: until node B's read shows it" : ""}`,
    });
  } finally {
    await world.close();
  }
}

/** 1,000 sessions at once; the times until half and all of the 500 that fit are assigned. */
async function measureBurst(ctx: BenchContext, name: string, db: string | null, target: boolean) {
  if (!ctx.wants(name)) return;
  const nodes = db === null ? 1 : 2;
  const world = await openRoutingNodes(db, nodes, {
    agents: BURST.agents,
    maxChats: BURST.maxChats,
    routing: { Mode: "Assign", Order: "LeastBusy" },
  });
  try {
    const fit = BURST.agents * BURST.maxChats;
    const marks: number[] = [];
    let done: () => void = () => undefined;
    const allGiven = new Promise<void>((resolve) => {
      done = resolve;
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    world.sink.onArrival = (count, at) => {
      marks.push(at - started);
      if (count === fit) done();
    };
    await Promise.all(
      Array.from({ length: BURST.sessions }, (_, i) =>
        world.nodes[i % nodes].sessions.create(customer(i)),
      ),
    );
    const createdMs = performance.now() - started;
    await Promise.race([allGiven, sleep(60_000)]);
    const used = process.cpuUsage(cpu);
    for (const node of world.nodes) await node.routing.settled();
    const all = marks.length >= fit ? marks[fit - 1] : Number.POSITIVE_INFINITY;
    const checks: Target["checks"] = [
      { label: `exactly ${fit} assigned`, pass: world.sink.arrived.size === fit },
    ];
    if (target)
      checks.push({ label: `all within ${BURST.withinMs / 1000} s`, pass: all < BURST.withinMs });
    ctx.record({
      name,
      server: nodes > 1 ? "bench process: 2 nodes" : "bench process",
      reqPerSec: (marks.length / all) * 1000,
      p50: marks[Math.floor(fit / 2) - 1] ?? Number.POSITIVE_INFINITY,
      p99: all,
      cpuMicros: (used.user + used.system) / Math.max(1, marks.length),
      rssBytes: process.memoryUsage().rss,
      target: { checks },
      detail: `${world.sink.arrived.size} of ${BURST.sessions} assigned; p50: the ${fit / 2}th, p99 column: the last (${fit}th), from the first create; all created in ${createdMs.toFixed(0)} ms`,
    });
  } finally {
    await world.close();
  }
}

export const routingSuite: Suite = {
  name: "routing",
  async run(ctx) {
    ctx.note(
      "routing: measured in the bench process (real store, services and sweeps; no HTTP); " +
        "CPU/req is the bench process's CPU per session (create, route, accept, end)",
    );
    await measureLatency(ctx, ROUTING_CASES.sqliteOffer, null, "Offer", SQLITE_P99_MS);
    await measureLatency(ctx, ROUTING_CASES.sqliteAssign, null, "Assign", SQLITE_P99_MS);
    await measureBurst(ctx, ROUTING_CASES.sqliteBurst, null, true);
    if (!Object.values(ROUTING_POSTGRES_CASES).some((name) => ctx.wants(name))) return;
    const reason = await postgresUnavailable();
    if (reason) {
      ctx.note(`routing: PostgreSQL cases SKIPPED: no PostgreSQL at ${BENCH_PG_URL} (${reason})`);
      return;
    }
    for (const [name, mode] of [
      [ROUTING_POSTGRES_CASES.offer, "Offer"],
      [ROUTING_POSTGRES_CASES.assign, "Assign"],
      [ROUTING_POSTGRES_CASES.burst, null],
    ] as const) {
      const scratch = scratchSchema();
      try {
        if (mode === null) await measureBurst(ctx, name, scratch.url, false);
        else await measureLatency(ctx, name, scratch.url, mode, POSTGRES_P99_MS);
      } finally {
        await scratch
          .drop()
          .catch((error) => ctx.progress(`could not drop ${scratch.schema}: ${error}`));
      }
    }
  },
};
