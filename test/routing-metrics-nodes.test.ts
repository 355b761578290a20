/**
 * Routing's offer counts on two nodes over one store (a SQLite file, a PostgreSQL schema):
 * while one node sees agents go away and both sweep, and then while both lapse the same
 * expired offers, every offer is counted exactly once, by outcome, on the node whose write
 * ended it: the nodes' counts add up to the offers made.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import type { Actor } from "../src/domain/presence.ts";
import { OFFER_OUTCOMES, type OfferOutcome, RoutingMetrics } from "../src/http/metrics-routing.ts";
import { createServices, type Services } from "../src/service/services.ts";
import { queueSessions, routedTopic, TWO_NODES } from "./support/routing.ts";
import { directory } from "./support/store-contract.ts";

const ROUNDS = 10;
const AGENTS = 6;
const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };

/** A node's services with its own routing metrics, counting what its routing records. */
function node(store: Parameters<typeof createServices>[0]) {
  const services = createServices(store);
  const registry = new Registry();
  const metrics = new RoutingMetrics(registry, async () => []);
  services.routing.decided.add((events) => metrics.count(events));
  return { services, registry };
}

/** Offers ended by outcome, summed over the nodes' registries. */
async function counted(...registries: Registry[]): Promise<Record<OfferOutcome, number>> {
  const sums = Object.fromEntries(OFFER_OUTCOMES.map((o) => [o, 0])) as Record<
    OfferOutcome,
    number
  >;
  for (const registry of registries) {
    const counter = await registry.getSingleMetric("chat_presence_routing_offers_total")?.get();
    for (const { labels, value } of counter?.values ?? [])
      sums[labels.outcome as OfferOutcome] += value;
  }
  return sums;
}

async function stop(...all: Services[]): Promise<void> {
  for (const services of all) {
    services.routing.stop();
    await services.routing.settled();
  }
}

for (const backend of TWO_NODES) {
  describe(`routing metrics on two nodes: ${backend.name}`, { skip: backend.skip }, () => {
    it("each offer is counted once, whichever node lapses or withdraws it", async () => {
      const opened = await backend.open();
      const [a, b] = [node(opened.nodes[0]), node(opened.nodes[1])];
      try {
        await opened.nodes[0].importDirectory(directory());
        for (let round = 0; round < ROUNDS; round++) {
          const store = opened.nodes[0];
          const topic = await routedTopic(store, AGENTS, {
            settings: { mode: "Offer", offerSeconds: 30, missedOffersBeforeAway: 0 },
          });
          await queueSessions(store, topic.topicId, AGENTS);
          await a.services.routing.route(topic.topicId);
          assert.equal((await store.topicOffers(topic.topicId)).length, AGENTS);
          // No offer anew once these end: what is counted is exactly the offers made above.
          await store.setRoutingSettings(topic.topicId, {
            mode: "Pull",
            offerSeconds: 30,
            order: "LeastBusy",
            missedOffersBeforeAway: 0,
          });
          await b.services.presence.getAll();
          const gone = topic.agents.slice(0, AGENTS / 2);
          // Half the agents leave on node B while both nodes sweep: B's presence save, and
          // either sweep finding offers to absent agents, race to withdraw the same offers.
          const start = await counted(a.registry, b.registry);
          const now = Date.now();
          await Promise.all([
            b.services.presence.save(
              ADMIN,
              gone.map((userId) => ({ userId, present: false })),
            ),
            a.services.routing.sweep(now),
            b.services.routing.sweep(now),
          ]);
          // A sweep that read presence before the save committed leaves those offers to the
          // next sweep, as it does in a server a second later.
          await Promise.all([a.services.routing.sweep(), b.services.routing.sweep()]);
          await Promise.all([a.services.routing.settled(), b.services.routing.settled()]);
          const withdrawn = await counted(a.registry, b.registry);
          assert.equal(withdrawn.withdrawn - start.withdrawn, AGENTS / 2, `round ${round}`);
          // The rest expire, and both nodes lapse them at once.
          const later = Date.now() + 60_000;
          await Promise.all([a.services.routing.sweep(later), b.services.routing.sweep(later)]);
          await Promise.all([a.services.routing.settled(), b.services.routing.settled()]);
          assert.deepEqual(await store.topicOffers(topic.topicId), []);
          const lapsed = await counted(a.registry, b.registry);
          assert.equal(lapsed.lapsed - withdrawn.lapsed, AGENTS / 2, `round ${round}`);
          assert.equal(lapsed.withdrawn, withdrawn.withdrawn, "nothing withdrawn twice");
          for (const outcome of ["accepted", "declined"] as const) assert.equal(lapsed[outcome], 0);
        }
      } finally {
        await stop(a.services, b.services);
        await opened.close();
      }
    });
  });
}
