/** Opening a store migrates its schema; on PostgreSQL several nodes may do so at the same moment. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { postgresSkip } from "../support/backends.ts";
import { scratchSchema } from "../support/postgres.ts";

describe("postgres only: nodes starting together", { skip: postgresSkip }, () => {
  it("open one new schema at the same moment and all migrate it", async () => {
    for (let round = 0; round < 10; round++) {
      const scratch = scratchSchema();
      try {
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openPostgresStore({ url: scratch.url })),
        );
        assert.equal(await stores[0].isEmpty(), true);
        await Promise.all(stores.map((store) => store.close()));
      } finally {
        await scratch.drop();
      }
    }
  });
});

describe("postgres only: directory changes are noted, and purged without being missed", {
  skip: postgresSkip,
}, () => {
  it("a position older than a purged change still hears of it; a newer one does not", async () => {
    const scratch = scratchSchema();
    const store = await openPostgresStore({ url: scratch.url });
    try {
      const old = await store.historyPosition();
      await store.createUser({
        username: "noted",
        displayName: "N",
        role: "agent",
        passwordHash: null,
      });
      assert.equal((await store.changesSince(old, 10)).directoryChanged, true);
      const fresh = await store.historyPosition();
      assert.equal((await store.changesSince(fresh, 10)).directoryChanged, false);
      // Saves and heartbeats are no directory change.
      const [user] = await store.listUsers();
      await store.savePresence([{ userId: user.id, present: true }]);
      await store.renewPresence([user.id], Date.now(), 30);
      assert.equal((await store.changesSince(fresh, 10)).directoryChanged, false);
      await store.purgeHistory(Date.now() + 60_000);
      assert.equal(
        (await store.changesSince(old, 10)).directoryChanged,
        true,
        "purged, not missed",
      );
      const after = await store.historyPosition();
      assert.equal((await store.changesSince(after, 10)).directoryChanged, false);
    } finally {
      await store.close();
      await scratch.drop();
    }
  });
});
