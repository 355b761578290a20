/**
 * An accept the store refuses because the agent filled up meanwhile (a pick-up between the
 * offer and the accept), on every backend: the offer is over, so the session must go to the
 * next agent at once, not wait for the sweep, and the offer's end is recorded.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import type { Actor } from "../src/domain/presence.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import { BACKENDS } from "./support/backends.ts";
import { routedServices } from "./support/routing.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };
const agent = (userId: number): Actor => ({ userId, username: `agent${userId}`, role: "agent" });
const customer = (topicId: number) => ({ topicId, customer: { ...EMPTY_CUSTOMER, name: "C" } });

for (const backend of BACKENDS) {
  it(
    `an accept refused at capacity offers the session on at once: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, topic, sink }) => {
        await services.routing.setSettings(ADMIN, topic.topicId, {
          Mode: "Offer",
          MaxChatsPerAgent: 1,
        });
        const first = await services.sessions.create(customer(topic.topicId));
        await services.routing.settled();
        const second = await services.sessions.create(customer(topic.topicId));
        await services.routing.settled();
        const offeredTo = (id: number) => sink.of("offered").filter((e) => e.chatSessionId === id);
        const [{ userId: holder }] = offeredTo(first.id);
        // The agent offered the first session answers the second themselves: now they are full.
        await services.sessions.pickUp(agent(holder as number), second.id);
        await assert.rejects(
          services.routing.accept(agent(holder as number), first.id),
          (error) => error instanceof PresenceError && error.code === "PRES_ERR_AT_CAPACITY",
        );
        await services.routing.settled();
        const again = offeredTo(first.id).slice(1);
        assert.equal(again.length, 1, "offered to the next agent without waiting for the sweep");
        assert.notEqual(again[0].userId, holder);
        const ended = sink.of("offer_lapsed").filter((e) => e.chatSessionId === first.id);
        assert.deepEqual(
          ended.map((e) => [e.userId, e.detail.reason]),
          [[holder, "withdrawn"]],
          "the refused offer's end is recorded",
        );
      }),
  );
}
