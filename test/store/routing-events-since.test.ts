/** The routing event log read over a time span, on every backend: `since` with a topic filter. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import type { RoutingEventInput } from "../../src/domain/routing-event.ts";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, type StoreFactory } from "../support/store-contract.ts";

function queuedAt(topicId: number, chatSessionId: number, at: number): RoutingEventInput {
  return { type: "queued", topicId, chatSessionId, userId: null, at, detail: { position: 1 } };
}

function sinceSuite(factory: StoreFactory): void {
  describeStore("routing events since a time", factory, (store) => {
    beforeEach(() => store.purgeRoutingEvents(Number.MAX_SAFE_INTEGER));

    it("keeps events at or after `since`, of the topics asked for, in id order", async () => {
      const t = Date.UTC(2026, 0, 5, 9, 0);
      await store.appendRoutingEvents([
        queuedAt(10, 1, t - 1),
        queuedAt(10, 2, t),
        queuedAt(20, 3, t + 5),
        queuedAt(10, 4, t + 10),
      ]);
      const read = (query: { since?: number; topicIds?: number[] }) =>
        store
          .routingEventsSince({ afterId: 0, limit: 100, ...query })
          .then((events) => events.map((e) => e.chatSessionId));
      assert.deepEqual(await read({ since: t }), [2, 3, 4]);
      assert.deepEqual(await read({ since: t, topicIds: [10] }), [2, 4]);
      assert.deepEqual(await read({ since: t + 11 }), []);
      assert.deepEqual(await read({}), [1, 2, 3, 4], "without since, every time");
    });
  });
}

for (const backend of BACKENDS) sinceSuite(backend);
