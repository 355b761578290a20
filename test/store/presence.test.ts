/** The presence part of the store contract: computed presence, saves, heartbeat deadlines. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { PresenceError } from "../../src/domain/errors.ts";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, resetStore, type StoreFactory } from "../support/store-contract.ts";

function presenceSuite(backend: StoreFactory): void {
  describeStore("presence store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("computes presence: topics with any right, ongoing = CustomerLast or UserLast", async () => {
      const presence = await store.listPresence();
      assert.deepEqual(
        presence.filter((p) => p.UserId <= 3),
        [
          { UserId: 1, DisplayName: "Anna", OngoingChats: 0, Present: false, ChatTopics: [] },
          { UserId: 2, DisplayName: "Bo", OngoingChats: 2, Present: true, ChatTopics: [10, 20] },
          { UserId: 3, DisplayName: "Cy", OngoingChats: 0, Present: false, ChatTopics: [] },
        ],
      );
    });

    it("saves presence atomically and reports only real changes", async () => {
      const { changes } = await store.savePresence([
        { userId: 1, present: true },
        { userId: 2, present: true },
      ]);
      assert.deepEqual(changes, [{ userId: 1, present: true, previousPresent: false }]);
      assert.equal((await store.getUser(1))?.present, true);
    });

    it("rejects a save naming an unknown user and saves nothing", async () => {
      await assert.rejects(
        store.savePresence([
          { userId: 3, present: true },
          { userId: 999, present: true },
        ]),
        (error: unknown) =>
          error instanceof PresenceError && error.code === "PRES_ERR_UNKNOWN_USER",
      );
      assert.equal((await store.getUser(3))?.present, false);
    });

    it("saves made at the same moment stand or fall alone", async () => {
      const [good, bad, other] = await Promise.allSettled([
        store.savePresence([{ userId: 1, present: true }]),
        store.savePresence([
          { userId: 3, present: true },
          { userId: 999, present: true },
        ]),
        store.savePresence([{ userId: 2, present: false }]),
      ]);
      assert.equal(good.status, "fulfilled");
      assert.equal(bad.status, "rejected");
      assert.equal(other.status, "fulfilled");
      assert.equal((await store.getUser(1))?.present, true);
      assert.equal((await store.getUser(3))?.present, false, "the refused save wrote nothing");
      assert.equal((await store.getUser(2))?.present, false);
    });

    it("finds which user ids exist", async () => {
      assert.deepEqual([...(await store.existingUserIds([1, 3, 999, 1]))].sort(), [1, 3]);
    });

    it("renews deadlines of present users only and expires each overdue user once", async () => {
      await store.savePresence([{ userId: 3, present: true }]);
      await store.renewPresence([1, 2, 3], 1_000, 5);
      assert.deepEqual(await store.expirePresence(5_999), []);
      assert.deepEqual((await store.expirePresence(6_000)).sort(), [2, 3]);
      assert.deepEqual(await store.expirePresence(7_000), [], "a lapse happens once");
      assert.equal((await store.getUser(2))?.present, false);
      assert.equal((await store.getUser(1))?.present, false, "user 1 was never present");
    });

    it("without any TTL a renewal sets no deadline", async () => {
      await store.savePresence([{ userId: 2, present: true }]);
      await store.renewPresence([2], 1_000, null);
      assert.deepEqual(await store.expirePresence(Number.MAX_SAFE_INTEGER), []);
    });
  });
}

for (const backend of BACKENDS) presenceSuite(backend);
