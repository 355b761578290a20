/**
 * Routing's decisions land in the routing event log, the feed of /Routing/Stream and routing
 * webhooks: an offer accepted through the service is logged in order with increasing ids.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import { BACKENDS } from "./support/backends.ts";
import { routedServices } from "./support/routing.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };

for (const backend of BACKENDS) {
  it(
    `an accepted offer is logged as queued, offered, assigned, capacity: ${backend.name}`,
    {
      skip: backend.skip,
    },
    () =>
      routedServices(backend, async ({ services, store, topic }) => {
        await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
        const from = await store.latestRoutingEventId();
        const session = await services.sessions.create({
          topicId: topic.topicId,
          customer: { ...EMPTY_CUSTOMER, name: "C" },
        });
        await services.routing.settled();
        const offers = await Promise.all(
          topic.agents.map((id) =>
            services.routing.offers({ userId: id, username: `agent${id}`, role: "agent" }),
          ),
        );
        const [offer] = offers.flat();
        const agent: Actor = { userId: offer.userId, username: "a", role: "agent" };
        await services.routing.accept(agent, session.id);
        await services.routing.settled();
        const logged = await store.routingEventsSince({ afterId: from, limit: 100 });
        assert.deepEqual(
          logged.map((e) => e.type),
          ["queued", "offered", "assigned", "capacity"],
        );
        assert.ok(
          logged.every((e, i) => i === 0 || e.id > logged[i - 1].id),
          "ids increase",
        );
        assert.ok(logged.every((e) => e.topicId === topic.topicId));
        assert.equal(logged[1].userId, offer.userId);
        assert.equal(logged[1].chatSessionId, session.id);
      }),
  );
}
