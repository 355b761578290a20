/**
 * Routing measured in this process: nodes over one store (a SQLite file, or PostgreSQL pools
 * on one schema, each node with its own services, buses and routing sweep, as a server has),
 * a directory of present agents in one routed topic imported like a seed file, and a sink
 * that notes when each session was offered or assigned. In-process, because what is measured
 * is the routing decision itself: an HTTP request around it would only add its own time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/domain/presence.ts";
import type { RoutingInput } from "../../src/domain/routing.ts";
import type { RoutingEventInput, RoutingEventSink } from "../../src/domain/routing-event.ts";
import type { Seed } from "../../src/domain/seed.ts";
import { startRoutingSweep } from "../../src/jobs/routing-sweep.ts";
import { createServices, type Services } from "../../src/service/services.ts";
import { openPostgresBackend } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { BENCH_ADMIN_ID } from "./seed.ts";

export const ROUTED_TOPIC = 1;
const ADMIN: Actor = { userId: BENCH_ADMIN_ID, username: "admin", role: "admin" };

export function agentActor(userId: number): Actor {
  return { userId, username: `agent${userId}`, role: "agent" };
}

/** When each session was first offered or assigned (performance.now()), and to whom. */
export class ArrivalSink implements RoutingEventSink {
  readonly arrived = new Map<number, { at: number; userId: number }>();
  private readonly waiting = new Map<number, () => void>();
  /** Called with the running count of sessions given out, as each one is. */
  onArrival: (count: number, at: number) => void = () => undefined;

  async record(events: readonly RoutingEventInput[]): Promise<void> {
    const at = performance.now();
    for (const { type, chatSessionId: id, userId } of events) {
      if ((type !== "offered" && type !== "assigned") || id === null || userId === null) continue;
      if (this.arrived.has(id)) continue;
      this.arrived.set(id, { at, userId });
      this.onArrival(this.arrived.size, at);
      this.waiting.get(id)?.();
      this.waiting.delete(id);
    }
  }

  /** Resolves with the session's arrival (at once if it came already); rejects after 10 s. */
  async arrival(id: number): Promise<{ at: number; userId: number }> {
    if (!this.arrived.has(id)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`session ${id}: no offer in 10 s`)),
          10_000,
        );
        this.waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.arrived.get(id) as { at: number; userId: number };
  }
}

export interface RoutingBenchNodes {
  nodes: Services[];
  sink: ArrivalSink;
  close(): Promise<void>;
}

/** The admin and `agents` agents (ids 2…), all present and CanRespond in the routed topic. */
function routingSeed(agents: number, maxChats: number): Seed {
  const seed: Seed = {
    users: [],
    topics: [{ id: ROUTED_TOPIC, name: "Routed" }],
    members: [],
    sessions: [],
    appTokens: [],
  };
  for (let id = BENCH_ADMIN_ID; id <= agents + 1; id++) {
    const admin = id === BENCH_ADMIN_ID;
    seed.users.push({
      id,
      username: admin ? "admin" : `agent${id}`,
      displayName: admin ? "Bench Admin" : `Agent ${id}`,
      role: admin ? "admin" : "agent",
      present: !admin,
      password: null,
      passwordHash: null,
      maxChats: admin ? 0 : maxChats,
    });
    if (admin) continue;
    seed.members.push({
      topicId: ROUTED_TOPIC,
      userId: id,
      canListen: false,
      canRespond: true,
      canManage: false,
      canNotify: false,
    });
  }
  return seed;
}

/** The services, with every routing event they log handed to the sink as well. */
function recordingInto(sink: RoutingEventSink, services: Services): Services {
  services.routingEvents.localRecords.add((events) => sink.record(events));
  return services;
}

async function openStores(db: string | null, count: number) {
  if (db === null) {
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-routing-bench-"));
    const store = openSqliteStore({ path: join(dir, "routing.db") });
    return {
      services: (sink: RoutingEventSink) => [recordingInto(sink, createServices(store))],
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const opened: Awaited<ReturnType<typeof openPostgresBackend>>[] = [];
  for (let i = 0; i < count; i++) opened.push(await openPostgresBackend({ url: db }));
  return {
    services: (sink: RoutingEventSink) =>
      opened.map(({ store, bus, messageBus }) =>
        recordingInto(sink, createServices(store, { bus, messageBus, shared: true })),
      ),
    async close() {
      for (const { store, bus, messageBus } of opened) {
        await bus.close();
        await messageBus.close();
        await store.close();
      }
    },
  };
}

/**
 * `count` nodes on the store at `db` (null: a fresh SQLite file, one node), the directory
 * imported through the first, the topic routed by `routing`, and every node's sweep running.
 */
export async function openRoutingNodes(
  db: string | null,
  count: number,
  plan: { agents: number; maxChats: number; routing: RoutingInput },
): Promise<RoutingBenchNodes> {
  const stores = await openStores(db, count);
  const sink = new ArrivalSink();
  const nodes = stores.services(sink);
  await nodes[0].directory.importSeed(routingSeed(plan.agents, plan.maxChats));
  await nodes[0].routing.setSettings(ADMIN, ROUTED_TOPIC, plan.routing);
  for (const node of nodes) await node.presence.getAll();
  const stops = nodes.map((node) =>
    startRoutingSweep(node, { intervalMs: 1_000, onError: (error) => console.error(error) }),
  );
  return {
    nodes,
    sink,
    async close() {
      for (const stop of stops) stop();
      for (const node of nodes) await node.routing.settled();
      await stores.close();
    },
  };
}
