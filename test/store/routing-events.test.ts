/**
 * The routing event log, on every backend: ids in commit order, reading since an id with a
 * topic filter and a limit, the newest and oldest ids, pruning by age. On PostgreSQL also
 * writers on two stores racing, and a routing bus that hands every event on once, in id order.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { RoutingEvent, RoutingEventInput } from "../../src/domain/routing-event.ts";
import { openPostgresBackend, openPostgresStore } from "../../src/store/postgres/store.ts";
import type { Store } from "../../src/store/store.ts";
import { BACKENDS, postgresSkip } from "../support/backends.ts";
import { scratchSchema } from "../support/postgres.ts";
import { offer } from "../support/routing-stream.ts";
import { describeStore, type StoreFactory } from "../support/store-contract.ts";

const EVERYTHING = Number.MAX_SAFE_INTEGER;

const all = (store: Store, afterId = 0) => store.routingEventsSince({ afterId, limit: 100_000 });

function routingEventsSuite(factory: StoreFactory): void {
  describeStore("routing event store contract", factory, (store) => {
    beforeEach(() => store.purgeRoutingEvents(EVERYTHING));

    it("appends events in order with increasing ids and reads them back as written", async () => {
      const at = Date.UTC(2026, 0, 5, 9, 30);
      const queued: RoutingEventInput = {
        type: "queued",
        topicId: 10,
        chatSessionId: 100,
        userId: null,
        at,
        detail: { position: 1 },
      };
      const capacity: RoutingEventInput = {
        type: "capacity",
        topicId: 10,
        chatSessionId: null,
        userId: 2,
        at: at + 1,
        detail: { ongoingChats: 2, limit: 3, full: false, note: null },
      };
      const written = await store.appendRoutingEvents([queued, offer(10, 100, 2, at), capacity]);
      assert.equal(written.length, 3);
      assert.ok(written[0].id < written[1].id && written[1].id < written[2].id);
      assert.deepEqual(
        written.map(({ id, ...rest }) => rest),
        [queued, offer(10, 100, 2, at), capacity],
      );
      assert.deepEqual(await all(store, written[0].id - 1), written);
      assert.deepEqual(await store.appendRoutingEvents([]), []);
    });

    it("reads since an id, only the topics asked for, at most the limit", async () => {
      const written: RoutingEvent[] = [];
      for (let i = 0; i < 6; i++)
        written.push(...(await store.appendRoutingEvents([offer(i % 2 ? 20 : 10, 100 + i, 2)])));
      const from = written[1].id;
      const since = await all(store, from);
      assert.deepEqual(
        since.map((e) => e.id),
        written.slice(2).map((e) => e.id),
      );
      const topic20 = await store.routingEventsSince({ afterId: 0, topicIds: [20], limit: 10 });
      assert.deepEqual(
        topic20.map((e) => e.chatSessionId),
        [101, 103, 105],
      );
      const none = await store.routingEventsSince({ afterId: 0, topicIds: [], limit: 10 });
      assert.deepEqual(none, []);
      const limited = await store.routingEventsSince({ afterId: from, limit: 2 });
      assert.deepEqual(
        limited.map((e) => e.id),
        written.slice(2, 4).map((e) => e.id),
      );
    });

    it("knows its newest and oldest ids, and prunes by age", async () => {
      assert.equal(await store.oldestRoutingEventId(), null);
      const now = Date.now();
      const old = await store.appendRoutingEvents([offer(10, 100, 2, now - 60_000)]);
      const fresh = await store.appendRoutingEvents([offer(10, 101, 2, now)]);
      assert.equal(await store.latestRoutingEventId(), fresh[0].id);
      assert.equal(await store.oldestRoutingEventId(), old[0].id);
      assert.equal(await store.purgeRoutingEvents(now - 30_000), 1);
      assert.deepEqual(await all(store), fresh);
      assert.equal(await store.oldestRoutingEventId(), fresh[0].id);
      // Ids are never given twice, even after the newest were pruned.
      await store.purgeRoutingEvents(EVERYTHING);
      const next = await store.appendRoutingEvents([offer(10, 102, 2)]);
      assert.ok(next[0].id > fresh[0].id);
    });
  });
}

for (const backend of BACKENDS) routingEventsSuite(backend);

describe("routing events on two PostgreSQL stores", { skip: postgresSkip }, () => {
  const shared = scratchSchema();
  let writers: Store[] = [];

  before(async () => {
    writers = [
      await openPostgresStore({ url: shared.url }),
      await openPostgresStore({ url: shared.url }),
    ];
  });

  after(async () => {
    await Promise.all(writers.map((w) => w.close()));
    await shared.drop();
  });

  it("racing appends each get their own id, and a routing bus hands every one on once, in id order", async () => {
    const reader = await openPostgresBackend({ url: shared.url });
    const got: RoutingEvent[] = [];
    const stop = await reader.routingBus.subscribe((events) => got.push(...events));
    try {
      const written: RoutingEvent[] = [];
      for (let round = 0; round < 20; round++) {
        const batches = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            writers[i % 2].appendRoutingEvents([
              offer(10, round * 100 + i, i),
              offer(20, round * 100 + i, i),
            ]),
          ),
        );
        for (const batch of batches) {
          written.push(...batch);
          await reader.routingBus.publish(batch);
        }
      }
      const ids = written.map((e) => e.id).sort((a, b) => a - b);
      assert.equal(new Set(ids).size, 400, "no id given twice");
      assert.deepEqual(
        (await all(writers[0])).map((e) => e.id),
        ids,
      );
      const deadline = Date.now() + 10_000;
      while (got.length < ids.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        got.map((e) => e.id),
        ids,
        "every event once, in id order",
      );
    } finally {
      stop();
      await reader.routingBus.close();
      await reader.bus.close();
      await reader.messageBus.close();
      await reader.store.close();
    }
  });
});
