/**
 * The routing sweep job: while it runs, an offer no timer of this node knows of (made by
 * another node) lapses within a second of ExpiresAt and its session is offered on; once it is
 * stopped, nothing lapses any more.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Actor } from "../src/domain/presence.ts";
import { startRoutingSweep } from "../src/jobs/routing-sweep.ts";
import { BACKENDS } from "./support/backends.ts";
import { queueSessions, routedServices } from "./support/routing.ts";
import { until } from "./support/webhooks.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };

for (const backend of BACKENDS) {
  it(
    `the sweep lapses offers made elsewhere, and stops: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, store, topic, sink }) => {
        await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
        const [first, second] = await queueSessions(store, topic.topicId, 2);
        const expiresAt = Date.now() + 200;
        await store.offerSession(first, topic.agents[0], Date.now(), expiresAt);
        const errors: unknown[] = [];
        const stop = startRoutingSweep(services, {
          intervalMs: 1_000,
          onError: (error) => errors.push(error),
        });
        try {
          for (
            let waited = 0;
            sink.of("offer_lapsed").length === 0 && waited < 3_000;
            waited += 20
          ) {
            await sleep(20);
          }
          const [lapsed] = sink.of("offer_lapsed");
          assert.ok(lapsed, "lapsed by the sweep");
          assert.ok(lapsed.at - expiresAt < 1_000, `${lapsed.at - expiresAt} ms after ExpiresAt`);
          // The sweep that lapsed the offer routes the topic after recording the lapse.
          await until("both sessions offered on", () => {
            const offered = sink.of("offered").map((e) => e.chatSessionId);
            return offered.includes(first) && offered.includes(second);
          });
        } finally {
          stop();
        }
        const [waiting] = await queueSessions(store, topic.topicId, 1);
        const [free] = await store.availableAgents(topic.topicId, Date.now());
        assert.ok(await store.offerSession(waiting, free.userId, Date.now(), Date.now() + 10));
        const before = sink.of("offer_lapsed").length;
        await sleep(1_300);
        assert.equal(sink.of("offer_lapsed").length, before, "a stopped sweep lapses nothing");
        assert.deepEqual(errors, []);
      }),
  );
}
