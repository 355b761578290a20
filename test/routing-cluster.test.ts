/**
 * Routing on two PostgreSQL nodes over one schema, each with its own services, lapse timers
 * and sweep: an unanswered offer lapses exactly once, within a second of ExpiresAt, although
 * both nodes try to lapse it at that moment; a heartbeat lapse noticed by the other node
 * withdraws the offer; and the choice stays fair when the sessions come through both nodes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RoutingOrder } from "../src/domain/routing.ts";
import type { RoutingEventInput } from "../src/domain/routing-event.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import { postgresSkip } from "./support/backends.ts";
import { CollectingSink } from "./support/routing.ts";
import { openWorld, type World, type WorldPlan } from "./support/routing-world.ts";

const customer = (topicId: number) => ({ topicId, customer: { ...EMPTY_CUSTOMER, name: "C" } });

async function withTwoNodes(
  plan: WorldPlan,
  body: (world: World, sink: CollectingSink) => Promise<void>,
): Promise<void> {
  const sink = new CollectingSink();
  const world = await openWorld("postgres", 2, plan, sink);
  try {
    await body(world, sink);
    assert.deepEqual(world.failures, [], "no routing pass or sweep failed");
  } finally {
    await world.close();
  }
}

const pair = (e: RoutingEventInput) => `${e.chatSessionId}->${e.userId}`;

describe("routing on two PostgreSQL nodes", { skip: postgresSkip }, () => {
  it("an unanswered offer lapses once, within a second of ExpiresAt, though both nodes try", async () => {
    const plan: WorldPlan = {
      agents: 3,
      maxChats: 0,
      topicsPerAgent: 1,
      sweepMs: 250,
      topics: [{ settings: { mode: "Offer", offerSeconds: 1 } }],
    };
    await withTwoNodes(plan, async (world, sink) => {
      const [a, b] = world.nodes.map((n) => n.services);
      const topicId = world.topics[0].id;
      await a.sessions.create(customer(topicId));
      await b.sessions.create(customer(topicId));
      await a.sessions.create(customer(topicId));
      // Besides the offering node's timer and both sweeps, both nodes lapse at every expiry.
      const raced = new Set<string>();
      const timers: ReturnType<typeof setTimeout>[] = [];
      const until = Date.now() + 3_600;
      while (Date.now() < until) {
        for (const offer of sink.of("offered")) {
          const key = `${pair(offer)}@${offer.detail.expiresAt}`;
          if (raced.has(key)) continue;
          raced.add(key);
          const due = (offer.detail.expiresAt as number) - Date.now();
          for (const node of [a, b])
            timers.push(
              setTimeout(
                () => void node.routing.lapseDue().catch((e) => world.failures.push(e)),
                due,
              ),
            );
        }
        await sleep(10);
      }
      for (const timer of timers) clearTimeout(timer);
      const seen = Date.now();
      const offers = sink.of("offered");
      const lapses = sink.of("offer_lapsed");
      const expired = offers.filter((o) => (o.detail.expiresAt as number) < seen - 1_000);
      assert.ok(expired.length >= 6, `offers went round (${expired.length})`);
      for (const offer of expired) {
        const expiresAt = offer.detail.expiresAt as number;
        const ends = lapses.filter(
          (l) => pair(l) === pair(offer) && l.at >= expiresAt && l.at < expiresAt + 1_000,
        );
        assert.equal(ends.length, 1, `${pair(offer)} expiring at ${expiresAt} lapsed once`);
        assert.equal(ends[0].detail.reason, "expired");
      }
      assert.ok(lapses.length <= offers.length, "no offer lapsed twice");
      for (const userId of world.agents.map((x) => x.actor.userId)) {
        const misses = lapses.filter((l) => l.userId === userId).map((l) => l.detail.missedOffers);
        assert.deepEqual(
          misses,
          misses.map((_, i) => i + 1),
          `agent ${userId}: each lapse counted once`,
        );
      }
    });
  });

  it("a heartbeat lapse found by node B withdraws the offer node A made", async () => {
    const plan: WorldPlan = {
      agents: 1,
      maxChats: 0,
      topicsPerAgent: 1,
      sweepMs: 60_000,
      presenceTtlSeconds: 1,
      topics: [{ settings: { mode: "Offer", offerSeconds: 30 } }],
    };
    await withTwoNodes(plan, async (world, sink) => {
      const [a, b] = world.nodes.map((n) => n.services);
      const [{ actor }] = world.agents;
      await a.presence.save(actor, [{ userId: actor.userId, present: true }]);
      const session = await a.sessions.create(customer(world.topics[0].id));
      await a.routing.settled();
      assert.deepEqual(
        (await a.routing.offers(actor)).map((o) => o.chatSessionId),
        [session.id],
      );
      await sleep(1_100);
      await b.presence.expireDue();
      assert.deepEqual(await a.routing.offers(actor), [], "withdrawn for every node");
      const [withdrawn] = sink.of("offer_lapsed");
      assert.equal(withdrawn.detail.reason, "withdrawn");
      assert.equal(withdrawn.userId, actor.userId);
      assert.equal((await world.nodes[0].store.getSession(session.id))?.status, "InQueue");
    });
  });

  for (const order of ["LeastBusy", "RoundRobin"] as RoutingOrder[]) {
    it(`${order} spreads sessions that come through both nodes within one`, async () => {
      const plan: WorldPlan = {
        agents: 4,
        maxChats: 0,
        topicsPerAgent: 1,
        sweepMs: 60_000,
        topics: [{ settings: { mode: "Assign", order } }],
      };
      await withTwoNodes(plan, async (world, sink) => {
        const topicId = world.topics[0].id;
        for (let i = 0; i < 14; i++) {
          const { services } = world.nodes[i % 2];
          await services.sessions.create(customer(topicId));
          await services.routing.settled();
        }
        const counts = world.agents.map(
          (agent) => sink.of("assigned").filter((e) => e.userId === agent.actor.userId).length,
        );
        assert.equal(
          counts.reduce((x, y) => x + y, 0),
          14,
        );
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `spread ${counts}`);
      });
    });
  }
});
