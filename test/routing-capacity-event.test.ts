/**
 * The `capacity` routing event sets the count against the limit that measures it: with
 * MaxChatsPerAgent binding in the topic, the agent's chats in that topic, not in all topics.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import { EMPTY_CUSTOMER, pickUp } from "../src/domain/session.ts";
import { BACKENDS } from "./support/backends.ts";
import { routedServices, routedTopic } from "./support/routing.ts";
import { queued } from "./support/store-contract.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };

for (const backend of BACKENDS) {
  it(
    `the capacity event counts what the binding limit counts and names it: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, store, sink }) => {
        const routed = await routedTopic(store, 1, { maxChats: 3 });
        const [agent] = routed.agents;
        const elsewhere = await routedTopic(store, 0);
        await store.upsertMembers(elsewhere.topicId, [
          { userId: agent, canListen: false, canRespond: true, canManage: false, canNotify: false },
        ]);
        const other = await store.createSession(queued(elsewhere.topicId, Date.now()));
        assert.ok(await store.updateSessionIf(other.id, pickUp(agent, Date.now())));
        await services.routing.setSettings(ADMIN, routed.topicId, {
          Mode: "Assign",
          MaxChatsPerAgent: 2,
        });
        for (let i = 0; i < 3; i++) {
          await services.sessions.create({
            topicId: routed.topicId,
            customer: { ...EMPTY_CUSTOMER, name: `C${i}` },
          });
        }
        await services.routing.settled();
        const loads = sink
          .of("capacity")
          .filter((e) => e.userId === agent && e.topicId === routed.topicId)
          .map((e) => e.detail);
        assert.ok(loads.length >= 2, `capacity events: ${JSON.stringify(loads)}`);
        for (const load of loads) {
          assert.ok(Number(load.ongoingChats) <= Number(load.limit), JSON.stringify(load));
        }
        assert.deepEqual(loads.at(-1), {
          ongoingChats: 2,
          limit: 2,
          limitOf: "MaxChatsPerAgent",
        });
      }),
  );
}
