/**
 * Routing test helpers: a topic with present agents who can respond (on the store directly),
 * two stores on one database as two nodes have, and a sink that collects routing events.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import type { RoutingSettings } from "../../src/domain/routing.ts";
import type { RoutingEventInput, RoutingEventSink } from "../../src/domain/routing-event.ts";
import { createServices, type ServiceOptions, type Services } from "../../src/service/services.ts";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { postgresSkip } from "./backends.ts";
import { scratchSchema } from "./postgres.ts";
import { directory, queued, type StoreFactory } from "./store-contract.ts";

let made = 0;

export interface RoutedTopic {
  topicId: number;
  agents: number[];
}

/** A new topic with `agents` new agents, each present with CanRespond there (and MaxChats). */
export async function routedTopic(
  store: Store,
  agents: number,
  options: { maxChats?: number; settings?: Partial<RoutingSettings> } = {},
): Promise<RoutedTopic> {
  const n = ++made;
  const topic = await store.createTopic({
    name: `Routed ${n}`,
    description: "",
    welcomeMessage: "",
    openingHoursEnabled: false,
    openingHours: defaultOpeningHours(),
    settings: {},
  });
  const ids: number[] = [];
  for (let i = 0; i < agents; i++) {
    const user = await store.createUser({
      username: `router${n}x${i}`,
      displayName: `Agent ${n}.${i}`,
      role: "agent",
      passwordHash: null,
      maxChats: options.maxChats ?? 0,
    });
    ids.push(user.id);
  }
  await store.upsertMembers(
    topic.id,
    ids.map((userId) => ({
      userId,
      canListen: false,
      canRespond: true,
      canManage: false,
      canNotify: false,
    })),
  );
  await store.savePresence(ids.map((userId) => ({ userId, present: true })));
  if (options.settings) {
    await store.setRoutingSettings(topic.id, {
      mode: "Offer",
      offerSeconds: 30,
      order: "LeastBusy",
      missedOffersBeforeAway: 3,
      ...options.settings,
    });
  }
  return { topicId: topic.id, agents: ids };
}

/** Queues `count` sessions in the topic, a millisecond apart from `from`; their ids in order. */
export async function queueSessions(
  store: Store,
  topicId: number,
  count: number,
  from = Date.now(),
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await store.createSession(queued(topicId, from + i))).id);
  return ids;
}

/** Two stores over one database, as two nodes have: a SQLite file, or one PostgreSQL schema. */
export interface TwoNodes {
  name: string;
  skip: boolean;
  open(): Promise<{ nodes: [Store, Store]; close(): Promise<void> }>;
}

export const TWO_NODES: readonly TwoNodes[] = [
  {
    name: "sqlite (two connections to one file)",
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "chat-presence-routing-"));
      const path = join(dir, "routing.db");
      const nodes: [Store, Store] = [openSqliteStore({ path }), openSqliteStore({ path })];
      return {
        nodes,
        async close() {
          for (const node of nodes) await node.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "postgres (two pools on one schema)",
    skip: postgresSkip,
    async open() {
      const scratch = scratchSchema();
      const first = await openPostgresStore({ url: scratch.url });
      const nodes: [Store, Store] = [first, await openPostgresStore({ url: scratch.url })];
      return {
        nodes,
        async close() {
          for (const node of nodes) await node.close();
          await scratch.drop();
        },
      };
    },
  },
];

export interface RoutedServices {
  services: Services;
  store: Store;
  topic: RoutedTopic;
  sink: CollectingSink;
}

/**
 * Services over a fresh store of the backend, with a topic of three present agents who can
 * respond and a collecting sink; everything is stopped and closed after `body`.
 */
export async function routedServices(
  backend: StoreFactory,
  body: (setup: RoutedServices) => Promise<void>,
  options: ServiceOptions = {},
): Promise<void> {
  const { store, cleanup } = await backend.open();
  const services = createServices(store, options);
  const sink = new CollectingSink();
  services.routingEvents.localRecords.add((events) => sink.record(events));
  try {
    await store.importDirectory(directory());
    const topic = await routedTopic(store, 3);
    await services.presence.getAll();
    await body({ services, store, topic, sink });
  } finally {
    services.routing.stop();
    await services.routing.settled();
    await store.close();
    await cleanup();
  }
}

/** Keeps every routing event this node recorded in its event log, in order. */
export class CollectingSink implements RoutingEventSink {
  readonly events: RoutingEventInput[] = [];

  async record(events: readonly RoutingEventInput[]): Promise<void> {
    this.events.push(...events);
  }

  of(type: RoutingEventInput["type"]): RoutingEventInput[] {
    return this.events.filter((e) => e.type === type);
  }
}
