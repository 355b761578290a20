/**
 * 10,000 agents heartbeating every 30 s on one PostgreSQL node: every agent saved present
 * first (so each renewal really moves a deadline), then heartbeats at the rate those agents
 * make, spread evenly over the measured time; what it costs the server is its CPU time over
 * that wall time. An admin sends them (`{"UserId": n}`), so one ticket serves every agent.
 */

import type { AppNode } from "../lib/fanout.ts";
import type { BenchContext } from "../lib/harness.ts";
import { scratchSchema } from "../lib/postgres.ts";
import { watchProcess } from "../lib/proc.ts";

export const PG_HEARTBEATS = "PostgreSQL heartbeats, 10,000 agents every 30 s";
const AGENTS = 10_000;
const EVERY_S = 30;
const MAX_CORE_SHARE = 0.25;

async function post(node: AppNode, path: string, body: unknown): Promise<number> {
  const response = await fetch(node.info.url + path, {
    method: "POST",
    headers: { authorization: `SoTicket ${node.info.ticket}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function measureHeartbeats(ctx: BenchContext): Promise<void> {
  if (!ctx.wants(PG_HEARTBEATS)) return;
  const scratch = scratchSchema();
  let node: AppNode | undefined;
  try {
    node = await ctx.spawn("pg heartbeats node", "servers/app.ts", {
      args: [
        "--users",
        String(AGENTS),
        "--topics",
        "20",
        "--db",
        scratch.url,
        "--presence-ttl",
        "60",
      ],
    });
    const ids = Array.from({ length: AGENTS }, (_, i) => i + 1).filter((id) => id !== 1);
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000).map((UserId) => ({ UserId, Present: true }));
      if ((await post(node, "/api/v1/Presence/SaveAll", chunk)) !== 204)
        throw new Error("could not make the agents present");
    }
    const rate = AGENTS / EVERY_S;
    const seconds = ctx.options.duration;
    const total = Math.round(rate * seconds);
    const latencies: number[] = [];
    let failed = 0;
    const watch = watchProcess(node.pid);
    const started = performance.now();
    const sends: Promise<void>[] = [];
    for (let sent = 0; sent < total; sent++) {
      const due = started + (sent / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const at = performance.now();
      const UserId = ids[sent % ids.length];
      sends.push(
        post(node, "/api/v1/Presence/Heartbeat", { UserId }).then((status) => {
          if (status === 204) latencies.push(performance.now() - at);
          else failed++;
        }),
      );
    }
    await Promise.all(sends);
    const wall = (performance.now() - started) / 1000;
    const { cpuSeconds, rssBytes } = watch.stop();
    const share = cpuSeconds === null ? null : cpuSeconds / wall;
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    ctx.record({
      name: PG_HEARTBEATS,
      server: node.label,
      reqPerSec: latencies.length / wall,
      p50: at(0.5),
      p99: at(0.99),
      cpuMicros: cpuSeconds === null ? null : (cpuSeconds / Math.max(1, latencies.length)) * 1e6,
      rssBytes,
      non2xx: failed,
      target: {
        checks: [
          {
            label: `< ${MAX_CORE_SHARE * 100}% of a core`,
            pass: share !== null && share < MAX_CORE_SHARE,
          },
        ],
      },
      detail: `server CPU ${share === null ? "n/a" : `${(share * 100).toFixed(1)}% of one core`} at ${rate.toFixed(0)} heartbeats/s`,
    });
  } finally {
    await scratch
      .drop()
      .catch((error) => ctx.progress(`could not drop ${scratch.schema}: ${error}`));
  }
}
