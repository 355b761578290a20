/**
 * The app on PostgreSQL, one node and two (two server processes on one schema, the load
 * split across both), measured in turns: GetAll of 1,000 users and SaveAll of 10 entries (each
 * save really changing presence); and cross-node stream latency (saves on node A, subscribers on
 * node B's stream). A scratch schema per run, dropped afterwards. Without a reachable PostgreSQL
 * the suite says it was skipped.
 */
import { type AppNode, measureFanOut } from "../lib/fanout.ts";
import type { Suite } from "../lib/harness.ts";
import { openPgbench } from "../lib/pgbench.ts";
import { BENCH_PG_URL, postgresUnavailable, scratchSchema } from "../lib/postgres.ts";
import { measureHeartbeats, PG_HEARTBEATS } from "./pg-heartbeats.ts";
import { SaveSequence } from "./presence.ts";

const GET_ALL = "/api/v1/Presence/GetAll";
const SAVE_ALL = "/api/v1/Presence/SaveAll";
export const PG_CROSS_NODE = "PostgreSQL stream, save on A → event on B";
const CROSS_NODE_SUBSCRIBERS = 20;
const CROSS_NODE_RATE = 100;

export const PGBENCH = "pgbench -N (same clients), in turns with SaveAll";
/** Server CPU a PostgreSQL save may cost, µs. */
const MAX_CPU_PER_SAVE = 400;

export const POSTGRES_CASES = [
  "PostgreSQL GetAll (1 node)",
  "PostgreSQL GetAll (2 nodes)",
  PGBENCH,
  "PostgreSQL SaveAll 10 entries (1 node)",
  "PostgreSQL SaveAll 10 entries (2 nodes)",
  "PostgreSQL SaveAll 10 entries (1 node, 64 connections)",
  PG_CROSS_NODE,
  PG_HEARTBEATS,
];

export const postgresSuite: Suite = {
  name: "postgres",
  async run(ctx) {
    if (!POSTGRES_CASES.some((name) => ctx.wants(name))) return;
    const reason = await postgresUnavailable();
    if (reason) {
      const text = `PostgreSQL cases SKIPPED: no PostgreSQL at ${BENCH_PG_URL} (${reason})`;
      ctx.progress(text);
      ctx.note(text);
      return;
    }
    const scratch = scratchSchema();
    const { logLevel, quick, duration, warmup } = ctx.options;
    const nodes: AppNode[] = [];
    try {
      const args = [
        "--users",
        "1000",
        "--topics",
        "20",
        "--db",
        scratch.url,
        "--log-level",
        logLevel,
      ];
      const a: AppNode = await ctx.spawn("pg node A", "servers/app.ts", { args, profile: true });
      nodes.push(a);
      const b: AppNode = await ctx.spawn("pg node B", "servers/app.ts", {
        args: [...args, "--skip-seed"],
        profile: true,
      });
      nodes.push(b);
      ctx.note(
        `postgres: scratch schema ${scratch.schema} at ${new URL(BENCH_PG_URL).host} (dropped afterwards), 1,000 users; ` +
          `"2 nodes" splits the connections between two server processes on that schema; server CPU/req sums both; ` +
          `stream: ${CROSS_NODE_SUBSCRIBERS} subscribers on B, ${CROSS_NODE_RATE} saves/s to A, latency from the save's 204`,
      );
      const auth = (node: AppNode) => ({
        authorization: `SoTicket ${node.info.ticket}`,
        accept: "application/json",
      });
      // Node A's ticket is in the shared store, so it is good on node B too.
      const headers = auth(a);
      await ctx.measure(
        {
          name: "PostgreSQL GetAll (1 node)",
          server: a,
          path: GET_ALL,
          headers,
          // The embedded store's GetAll, from the presence suite of the same run.
          baseline: "GetAll (1,000 users)",
          target: { minRatio: 0.6 },
        },
        {
          name: "PostgreSQL GetAll (2 nodes)",
          server: [a, b],
          path: GET_ALL,
          headers,
          baseline: "PostgreSQL GetAll (1 node)",
        },
      );
      const post = { ...headers, "content-type": "application/json; charset=utf-8" };
      const saves = new SaveSequence(a.info.users);
      const sync = async () => {
        await saves.sync(a.info.url, headers);
      };
      const pgbench = await openPgbench(BENCH_PG_URL);
      const tps: number[] = [];
      const pgbenchTurn = async () => {
        if (typeof pgbench !== "string")
          tps.push(await pgbench.tps(ctx.options.connections, Math.max(1, duration / 2)));
      };
      await pgbenchTurn();
      const saveRows = await ctx.measure(
        {
          name: "PostgreSQL SaveAll 10 entries (1 node)",
          server: a,
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => saves.body(),
          beforeRun: sync,
          baseline: PGBENCH,
          target: { minRatio: 1.0 },
        },
        {
          name: "PostgreSQL SaveAll 10 entries (2 nodes)",
          server: [a, b],
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => saves.body(),
          beforeRun: sync,
          baseline: "PostgreSQL SaveAll 10 entries (1 node)",
          target: { minRatio: 1.0 },
        },
        {
          // More clients than the pool: shows whether a node is bound by latency or by CPU.
          name: "PostgreSQL SaveAll 10 entries (1 node, 64 connections)",
          server: a,
          method: "POST",
          path: SAVE_ALL,
          headers: post,
          nextBody: () => saves.body(),
          beforeRun: sync,
          settings: { connections: 64 },
          baseline: PGBENCH,
        },
      );
      await pgbenchTurn();
      for (const row of saveRows) {
        row.target = {
          ...row.target,
          checks: [
            {
              label: `≤ ${MAX_CPU_PER_SAVE} µs CPU/save`,
              pass: row.cpuMicros !== null && row.cpuMicros <= MAX_CPU_PER_SAVE,
            },
          ],
        };
      }
      if (typeof pgbench === "string") ctx.note(`${PGBENCH}: not measured, ${pgbench}`);
      else {
        await pgbench.close();
        const mean = tps.reduce((sum, t) => sum + t, 0) / tps.length;
        ctx.record({
          name: PGBENCH,
          server: "pgbench",
          reqPerSec: mean,
          p50: 0,
          p99: 0,
          cpuMicros: null,
          rssBytes: null,
          detail: `turns before and after SaveAll: ${tps.map((t) => t.toFixed(0)).join(", ")} tps`,
        });
      }
      if (ctx.wants(PG_CROSS_NODE)) {
        const result = await measureFanOut({
          saveTo: a,
          streamFrom: b,
          subscribers: CROSS_NODE_SUBSCRIBERS,
          loadProcesses: 1,
          rate: CROSS_NODE_RATE,
          warmupSeconds: quick ? Math.min(warmup, 0.5) : warmup,
          seconds: duration,
          spawn: (label) => ctx.spawn(label, "clients/subscribers.ts"),
          progress: (text) => ctx.progress(text),
        });
        ctx.record({
          name: PG_CROSS_NODE,
          server: `${a.label} → ${b.label}`,
          reqPerSec: result.savesPerSec,
          p50: result.fromDone.p50,
          p99: result.fromDone.p99,
          cpuMicros: result.cpuMicrosPerSave,
          rssBytes: result.rssPeak,
          non2xx: result.failedSaves + result.failedOpens,
          target: {
            maxP99Ms: 50,
            checks: [
              { label: "0 dropped", pass: result.dropped === 0 && result.closed === 0 },
              { label: "0 missing", pass: result.missing === 0 },
            ],
          },
          detail:
            `from sending the save: p50 ${result.fromSent.p50.toFixed(1)} ms, p99 ${result.fromSent.p99.toFixed(1)} ms; ` +
            `${result.received.toLocaleString("en-US")} events, ${result.missing} missing, ${result.dropped} dropped`,
        });
      }
      await measureHeartbeats(ctx);
    } finally {
      // The nodes go first: dropping a schema waits for the sessions still using it.
      await Promise.all(nodes.map((node) => node.stop()));
      await scratch
        .drop()
        .catch((error) => ctx.progress(`could not drop ${scratch.schema}: ${error}`));
    }
  },
};
