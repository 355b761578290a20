/** The history part of the store contract: the change log, and saves that log what they change. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import type { NewHistoryEntry } from "../../src/store/history.ts";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, directory, type StoreFactory } from "../support/store-contract.ts";

function entry(userId: number, present: boolean, at: number): NewHistoryEntry {
  return {
    UserId: userId,
    Present: present,
    OngoingChats: 1,
    ChatTopics: [10, 20],
    Previous: { Present: !present, OngoingChats: 0, ChatTopics: [] },
    Source: "api",
    ChangedBy: 1,
    at,
  };
}

function historySuite(backend: StoreFactory): void {
  describeStore("history store", backend, (store) => {
    beforeEach(async () => {
      await store.importDirectory(directory());
    });

    it("changesSince gives what committed after a position, once, and a position to go on from", async () => {
      const position = await store.historyPosition();
      const written = await store.appendHistory([entry(2, true, 1000), entry(3, false, 2000)]);
      const news = await store.changesSince(position, 10);
      assert.deepEqual(news.events, written);
      assert.deepEqual((await store.changesSince(news.position, 10)).events, []);
      const paged = await store.changesSince(position, 1, written[0].Version);
      assert.deepEqual(paged.events, [written[1]]);
    });

    it("appends in order with increasing ids and reads back the same events", async () => {
      const start = await store.latestHistoryId();
      const written = await store.appendHistory([entry(2, true, 1000), entry(3, false, 2000)]);
      assert.deepEqual(
        written.map((e) => e.UserId),
        [2, 3],
      );
      assert.ok(written[0].Version > start && written[1].Version > written[0].Version);
      assert.equal(await store.latestHistoryId(), written[1].Version);
      const read = await store.queryHistory({ afterId: start, limit: 10 });
      assert.deepEqual(read, written);
      assert.equal(read[0].At, new Date(1000).toISOString());
      assert.deepEqual(read[0].Previous, { Present: false, OngoingChats: 0, ChatTopics: [] });
    });

    it("filters by user and time, limits, and purges old entries without reusing ids", async () => {
      const base = 5_000_000;
      await store.appendHistory([
        entry(2, true, base),
        entry(3, true, base + 10),
        entry(2, false, base + 20),
      ]);
      const forTwo = await store.queryHistory({ userId: 2, since: base, limit: 10 });
      assert.deepEqual(
        forTwo.map((e) => e.Present),
        [true, false],
      );
      assert.equal(
        (await store.queryHistory({ since: base, until: base + 20, limit: 10 })).length,
        2,
      );
      assert.equal((await store.queryHistory({ since: base, limit: 1 })).length, 1);
      const latest = await store.latestHistoryId();
      assert.ok((await store.purgeHistory(base + 15)) >= 2);
      assert.ok(((await store.oldestHistoryId()) ?? 0) > 0);
      assert.equal(await store.latestHistoryId(), latest, "purging does not move the latest id");
    });

    it("a logged save sets Present, renews deadlines and logs real changes in one transaction", async () => {
      const start = await store.latestHistoryId();
      const saved = await store.savePresence(
        [
          { userId: 1, present: true },
          { userId: 2, present: true },
        ],
        {
          now: 10_000,
          ttlSeconds: 5,
          describe: (change) => entry(change.userId, change.present, 10_000),
        },
      );
      assert.deepEqual(saved.changes, [{ userId: 1, present: true, previousPresent: false }]);
      assert.deepEqual(
        saved.events.map((e) => [e.UserId, e.Present]),
        [[1, true]],
      );
      assert.ok(saved.events[0].Version > start);
      assert.deepEqual(await store.queryHistory({ afterId: start, limit: 10 }), saved.events);
      assert.deepEqual(
        (await store.expirePresence(15_000)).sort(),
        [1, 2],
        "both present users were renewed",
      );
    });

    it("logged saves made at the same moment each log what they changed, in commit order", async () => {
      const start = await store.latestHistoryId();
      const log = (at: number) => ({
        now: at,
        ttlSeconds: null,
        describe: (change: { userId: number; present: boolean; previousPresent: boolean }) => ({
          ...entry(change.userId, change.present, at),
          Previous: { Present: change.previousPresent, OngoingChats: 1, ChatTopics: [10, 20] },
        }),
      });
      const results = await Promise.allSettled([
        store.savePresence([{ userId: 1, present: true }], log(1)),
        store.savePresence([{ userId: 1, present: false }], log(2)),
        store.savePresence([{ userId: 999, present: true }], log(3)),
        store.savePresence(
          [
            { userId: 3, present: true },
            { userId: 1, present: true },
          ],
          log(4),
        ),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "fulfilled", "rejected", "fulfilled"],
      );
      const events = results
        .flatMap((r) => (r.status === "fulfilled" ? r.value.events : []))
        .sort((x, y) => x.Version - y.Version);
      assert.deepEqual(await store.queryHistory({ afterId: start, limit: 10 }), events);
      // Replayed in Version order from the state before, each event is a real change from the
      // state the one before left, and the last state is what is stored.
      const state = new Map([
        [1, false],
        [3, false],
      ]);
      for (const e of events) {
        assert.equal(e.Previous?.Present, state.get(e.UserId), `event ${e.Version}`);
        assert.notEqual(e.Present, e.Previous?.Present);
        state.set(e.UserId, e.Present);
      }
      assert.equal((await store.getUser(1))?.present, state.get(1));
      assert.equal((await store.getUser(3))?.present, true);
      // Both backends commit saves made together as one batch, in arrival order.
      assert.deepEqual(
        events.map((e) => [e.UserId, e.Present, e.At]),
        [
          [1, true, new Date(1).toISOString()],
          [1, false, new Date(2).toISOString()],
          [3, true, new Date(4).toISOString()],
          [1, true, new Date(4).toISOString()],
        ],
      );
    });

    it("a logged save that fails logs nothing", async () => {
      const start = await store.latestHistoryId();
      await assert.rejects(
        store.savePresence(
          [
            { userId: 3, present: true },
            { userId: 999, present: true },
          ],
          {
            now: 1,
            ttlSeconds: null,
            describe: (change) => entry(change.userId, change.present, 1),
          },
        ),
      );
      assert.equal(await store.latestHistoryId(), start);
      assert.equal((await store.getUser(3))?.present, false);
    });
  });
}

for (const backend of BACKENDS) historySuite(backend);
