/**
 * A routed contact centre for the routing race: N nodes over one store (one SQLite node, or
 * three PostgreSQL nodes, each with its own pool, buses, services and routing sweep on one
 * schema), agents with MaxChats in several topics of every routing mode and order, and one
 * event sink all nodes record into, so the audit sees every decision as it is made.
 */
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import type { Actor } from "../../src/domain/presence.ts";
import type { RoutingSettings } from "../../src/domain/routing.ts";
import type { RoutingEventSink } from "../../src/domain/routing-event.ts";
import { startRoutingSweep } from "../../src/jobs/routing-sweep.ts";
import { createServices, type ServiceOptions, type Services } from "../../src/service/services.ts";
import { openPostgresBackend } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { scratchSchema } from "./postgres.ts";

export interface RaceNode {
  services: Services;
  store: Store;
}

export interface RaceTopic {
  id: number;
  settings: RoutingSettings;
  maxChatsPerAgent: number;
  agents: number[];
}

export interface RaceAgent {
  actor: Actor;
  maxChats: number;
  topics: number[];
}

export interface World {
  nodes: RaceNode[];
  topics: RaceTopic[];
  agents: RaceAgent[];
  /** Background failures of any node (a routing pass or sweep that threw). */
  failures: unknown[];
  close(): Promise<void>;
}

export interface WorldPlan {
  agents: number;
  maxChats: number;
  /** Each topic's routing; an agent belongs to `topicsPerAgent` topics, round the list. */
  topics: { settings: Partial<RoutingSettings>; maxChatsPerAgent?: number }[];
  topicsPerAgent: number;
  /** The sweep's interval on every node. */
  sweepMs: number;
  /** Heartbeat expiry on every node (ServiceOptions); off when left out. */
  presenceTtlSeconds?: number;
}

const BASE: RoutingSettings = {
  mode: "Offer",
  offerSeconds: 30,
  order: "LeastBusy",
  missedOffersBeforeAway: 0,
};

interface Opened {
  stores: Store[];
  services(store: Store, index: number, options: ServiceOptions): Services;
  close(): Promise<void>;
}

export type WorldBackend = "sqlite" | "postgres";

async function openStores(backend: WorldBackend, nodes: number): Promise<Opened> {
  if (backend === "sqlite") {
    const store = openSqliteStore({ path: ":memory:" });
    return {
      stores: [store],
      services: (s, _i, options) => createServices(s, options),
      close: () => store.close(),
    };
  }
  const scratch = scratchSchema();
  const opened: Awaited<ReturnType<typeof openPostgresBackend>>[] = [];
  // One after another: the first migrates the schema, the others find it done.
  for (let i = 0; i < nodes; i++)
    opened.push(await openPostgresBackend({ url: scratch.url, onError: () => undefined }));
  return {
    stores: opened.map((o) => o.store),
    services: (store, i, options) =>
      createServices(store, {
        ...options,
        bus: opened[i].bus,
        messageBus: opened[i].messageBus,
        shared: true,
      }),
    async close() {
      for (const o of opened) {
        await o.bus.close();
        await o.messageBus.close();
        await o.store.close();
      }
      await scratch.drop();
    },
  };
}

async function createTopics(store: Store, plan: WorldPlan): Promise<RaceTopic[]> {
  const topics: RaceTopic[] = [];
  for (const [i, spec] of plan.topics.entries()) {
    const topic = await store.createTopic({
      name: `Race ${i}`,
      description: "",
      welcomeMessage: "",
      openingHoursEnabled: false,
      openingHours: defaultOpeningHours(),
      settings: {},
    });
    const settings = { ...BASE, ...spec.settings };
    await store.setRoutingSettings(topic.id, settings);
    await store.setMaxChatsPerAgent(topic.id, spec.maxChatsPerAgent ?? 0);
    topics.push({
      id: topic.id,
      settings,
      maxChatsPerAgent: spec.maxChatsPerAgent ?? 0,
      agents: [],
    });
  }
  return topics;
}

/** Agents spread round the topics, each a CanRespond member of `topicsPerAgent`, all present. */
async function createAgents(store: Store, plan: WorldPlan, topics: RaceTopic[]) {
  const agents: RaceAgent[] = [];
  for (let i = 0; i < plan.agents; i++) {
    const username = `racer${i}`;
    const user = await store.createUser({
      username,
      displayName: `Racer ${i}`,
      role: "agent",
      passwordHash: null,
      maxChats: plan.maxChats,
    });
    const mine = Array.from(
      { length: plan.topicsPerAgent },
      (_, k) => topics[(i + k) % topics.length],
    );
    for (const topic of mine) topic.agents.push(user.id);
    agents.push({
      actor: { userId: user.id, username, role: "agent" },
      maxChats: plan.maxChats,
      topics: mine.map((t) => t.id),
    });
  }
  for (const topic of topics) {
    await store.upsertMembers(
      topic.id,
      topic.agents.map((userId) => ({
        userId,
        canListen: false,
        canRespond: true,
        canManage: false,
        canNotify: false,
      })),
    );
  }
  await store.savePresence(agents.map((a) => ({ userId: a.actor.userId, present: true })));
  return agents;
}

/** Opens the nodes, lays out topics and agents, and starts every node's routing sweep. */
export async function openWorld(
  backend: WorldBackend,
  nodeCount: number,
  plan: WorldPlan,
  sink: RoutingEventSink,
): Promise<World> {
  const opened = await openStores(backend, nodeCount);
  const failures: unknown[] = [];
  const topics = await createTopics(opened.stores[0], plan);
  const agents = await createAgents(opened.stores[0], plan, topics);
  const nodes = opened.stores.map((store, i) => {
    const services = opened.services(store, i, {
      presenceTtlSeconds: plan.presenceTtlSeconds ?? null,
    });
    // Every node's logged decisions reach the one sink the audit reads.
    services.routingEvents.localRecords.add((events) => sink.record(events));
    return { store, services };
  });
  // As a server does at start: a node's presence snapshot is loaded before any change.
  for (const { services } of nodes) await services.presence.getAll();
  const stops = nodes.map(({ services }) =>
    startRoutingSweep(services, {
      intervalMs: plan.sweepMs,
      onError: (error) => failures.push(error),
    }),
  );
  return {
    nodes,
    topics,
    agents,
    failures,
    async close() {
      for (const stop of stops) stop();
      for (const { services } of nodes) await services.routing.settled();
      await opened.close();
    },
  };
}
