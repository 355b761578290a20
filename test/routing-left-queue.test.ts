/**
 * A queued session that leaves the queue unassigned (deleted, or saved as ClosedFromQueue,
 * Closed or OfflineForm) is told: `left_queue` with the status it left for, and its open
 * offer, if any, as `offer_lapsed` withdrawn, so no stream or queue view keeps it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import type { RoutingEventInput } from "../src/domain/routing-event.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import type { Services } from "../src/service/services.ts";
import { BACKENDS } from "./support/backends.ts";
import { routedServices } from "./support/routing.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };

async function queuedSession(services: Services, topicId: number): Promise<number> {
  const session = await services.sessions.create({
    topicId,
    customer: { ...EMPTY_CUSTOMER, name: "C" },
  });
  await services.routing.settled();
  return session.id;
}

const about = (events: RoutingEventInput[], id: number) =>
  events.filter((e) => e.chatSessionId === id).map((e) => [e.type, e.userId, e.detail]);

for (const backend of BACKENDS) {
  it(
    `a queued session leaving the queue unassigned is told, with its offer's end: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, store, topic, sink }) => {
        await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
        const leave = {
          Deleted: (id: number) => services.sessions.delete(ADMIN, id),
          ClosedFromQueue: (id: number) =>
            services.sessions.save(ADMIN, id, { status: "ClosedFromQueue" }).then(() => {}),
          OfflineForm: (id: number) =>
            services.sessions.save(ADMIN, id, { status: "OfflineForm" }).then(() => {}),
        };
        for (const [status, leaveQueue] of Object.entries(leave)) {
          const id = await queuedSession(services, topic.topicId);
          const [offer] = await store.topicOffers(topic.topicId);
          assert.equal(offer?.chatSessionId, id, `${status}: offered first`);
          const from = sink.events.length;
          await leaveQueue(id);
          await services.routing.settled();
          assert.deepEqual(about(sink.events.slice(from), id), [
            ["offer_lapsed", offer.userId, { reason: "withdrawn" }],
            ["left_queue", null, { status }],
          ]);
          assert.deepEqual(await store.topicOffers(topic.topicId), [], `${status}: no offer`);
        }
      }),
  );

  it(
    `a queued session without an offer leaving the queue is told; a pick-up is not: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, topic, sink }) => {
        const closed = await queuedSession(services, topic.topicId);
        const picked = await queuedSession(services, topic.topicId);
        const from = sink.events.length;
        await services.sessions.save(ADMIN, closed, { status: "Closed" });
        const agent: Actor = { userId: topic.agents[0], username: "a", role: "agent" };
        await services.sessions.pickUp(agent, picked);
        await services.routing.settled();
        const after = sink.events.slice(from);
        assert.deepEqual(about(after, closed), [["left_queue", null, { status: "Closed" }]]);
        assert.deepEqual(
          about(after, picked).map(([type]) => type),
          ["assigned"],
        );
      }),
  );
}
