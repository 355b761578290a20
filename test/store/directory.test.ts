/** The directory part of the store contract: users, and importing a directory file. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import { pickUp } from "../../src/domain/session.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  coded,
  describeStore,
  directory,
  resetStore,
  type StoreFactory,
} from "../support/store-contract.ts";

function directorySuite(backend: StoreFactory): void {
  describeStore("directory store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("creates, finds, updates and deletes users; usernames are case-insensitive", async () => {
      const created = await store.createUser({
        username: "Dina",
        displayName: "Dina D",
        role: "agent",
        passwordHash: null,
      });
      assert.ok(created.id > 3);
      assert.equal((await store.getUserByUsername("dina"))?.id, created.id);
      const updated = await store.updateUser(created.id, {
        displayName: "Dina Dahl",
        role: "admin",
      });
      assert.equal(updated?.displayName, "Dina Dahl");
      assert.equal(updated?.role, "admin");
      assert.equal(await store.deleteUser(created.id), true);
      assert.equal(await store.getUser(created.id), null);
      assert.equal(await store.deleteUser(created.id), false);
    });

    it("refuses a duplicate username", async () => {
      await assert.rejects(
        store.createUser({ username: "ANNA", displayName: "x", role: "agent", passwordHash: null }),
      );
    });

    it("refuses a taken username with a coded error, on create and on rename", async () => {
      await assert.rejects(
        store.createUser({ username: "BO", displayName: "x", role: "agent", passwordHash: null }),
        coded("PRES_ERR_USERNAME_TAKEN"),
      );
      await assert.rejects(
        store.updateUser(3, { username: "Anna" }),
        coded("PRES_ERR_USERNAME_TAKEN"),
      );
    });

    it("goes by one canonical username for lookup and uniqueness, whatever the case or Unicode form", async () => {
      const agent = (username: string) => ({
        username,
        displayName: username,
        role: "agent" as const,
        passwordHash: null,
      });
      const tim = await store.createUser(agent("tim"));
      // NFKC plus a full case fold: fullwidth letters, dotless i and ß/SS meet their plain forms.
      for (const variant of ["TIM", "Tim", "ｔｉｍ", "tım", " tim "])
        assert.equal((await store.getUserByUsername(variant))?.id, tim.id, variant);
      // Unicode folds İ to i + U+0307, a different name (whatever the database's lower() says).
      assert.equal(await store.getUserByUsername("tİm"), null);
      for (const variant of ["TIM", "ｔｉｍ", "tım"])
        await assert.rejects(
          store.createUser(agent(variant)),
          coded("PRES_ERR_USERNAME_TAKEN"),
          variant,
        );
      const strasse = await store.createUser(agent("straße"));
      await assert.rejects(store.createUser(agent("STRASSE")), coded("PRES_ERR_USERNAME_TAKEN"));
      await assert.rejects(
        store.updateUser(strasse.id, { username: "TIM" }),
        coded("PRES_ERR_USERNAME_TAKEN"),
      );
      await store.updateUser(strasse.id, { username: "Gate" });
      assert.equal((await store.getUserByUsername("GATE"))?.id, strasse.id);
      assert.equal(await store.getUserByUsername("strasse"), null);
    });

    it("deleting a user drops their credentials and unassigns their sessions", async () => {
      const user = await store.createUser({
        username: "temp",
        displayName: "T",
        role: "agent",
        passwordHash: null,
      });
      await store.saveCredential({
        hash: "tt",
        kind: "bearer",
        userId: user.id,
        expiresAt: Date.now() + 60_000,
        xsrfHash: null,
      });
      await store.deleteUser(user.id);
      assert.equal(await store.findCredential("tt", Date.now()), null);
    });

    it("puts a deleted user's chats back in the queue", async () => {
      const temp = await store.createUser({
        username: "temp",
        displayName: "T",
        role: "agent",
        passwordHash: null,
      });
      await store.updateSessionIf(103, pickUp(temp.id, Date.now()));
      await store.deleteUser(temp.id);
      const session = await store.getSession(103);
      assert.deepEqual([session?.status, session?.user], ["InQueue", null]);
    });

    it("imports idempotently and keeps a password hash the file does not carry", async () => {
      const data = directory();
      data.users[0].passwordHash = null;
      await store.importDirectory(data);
      await store.importDirectory(data);
      assert.equal((await store.getUser(1))?.passwordHash, "h1");
      assert.equal((await store.listUsers()).filter((u) => u.id <= 3).length, 3);
    });

    it("imports topic details when given and keeps stored ones when not", async () => {
      const hours = { ...defaultOpeningHours(), timeZone: "NO" };
      const data = directory();
      data.topics[0] = {
        id: 10,
        name: "Sales",
        description: "Sell",
        openingHoursEnabled: true,
        openingHours: hours,
      };
      await store.importDirectory(data);
      await store.importDirectory(directory());
      const topic = await store.getTopic(10);
      assert.deepEqual(
        [topic?.description, topic?.openingHoursEnabled, topic?.openingHours.timeZone],
        ["Sell", true, "NO"],
      );
    });
  });
}

for (const backend of BACKENDS) directorySuite(backend);
