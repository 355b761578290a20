/**
 * The store contract, written once against the Store interface and run for every backend
 * (Kysely style): a backend is correct when this whole suite passes on it unchanged.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { PresenceError } from "../../src/domain/errors.ts";
import type { DirectoryImport, Store } from "../../src/store/store.ts";

export interface StoreFactory {
  name: string;
  /** Set when the backend is not reachable here; the suite is then reported as skipped. */
  skip?: boolean;
  /** A fresh, empty, migrated store. */
  open(): Promise<Store>;
  /** Drops whatever open() created. */
  cleanup?(): Promise<void>;
}

/**
 * Declares one contract suite on one backend: `store` stands for the store the factory opens
 * before the suite's first test (closed, and cleaned up, after its last). The body declares the
 * tests, and its own beforeEach if it needs one.
 */
export function describeStore(
  title: string,
  factory: StoreFactory,
  body: (store: Store) => void,
): void {
  describe(`${title}: ${factory.name}`, { skip: factory.skip }, () => {
    let opened: Store | undefined;
    const store = new Proxy({} as Store, {
      get(_, name) {
        if (!opened) throw new Error("the store is open only inside the suite's tests and hooks");
        const value = Reflect.get(opened, name);
        return typeof value === "function" ? value.bind(opened) : value;
      },
    });
    before(async () => {
      opened = await factory.open();
    });
    after(async () => {
      await opened?.close();
      await factory.cleanup?.();
    });
    body(store);
  });
}

export function directory(): DirectoryImport {
  return {
    users: [
      {
        id: 1,
        username: "anna",
        displayName: "Anna",
        role: "admin",
        present: false,
        passwordHash: "h1",
      },
      {
        id: 2,
        username: "bo",
        displayName: "Bo",
        role: "agent",
        present: true,
        passwordHash: null,
      },
      {
        id: 3,
        username: "cy",
        displayName: "Cy",
        role: "agent",
        present: false,
        passwordHash: null,
      },
    ],
    topics: [
      { id: 10, name: "Sales" },
      { id: 20, name: "Support" },
    ],
    members: [
      {
        topicId: 20,
        userId: 2,
        canListen: false,
        canRespond: false,
        canManage: false,
        canNotify: true,
      },
      {
        topicId: 10,
        userId: 2,
        canListen: true,
        canRespond: false,
        canManage: false,
        canNotify: false,
      },
      {
        topicId: 10,
        userId: 3,
        canListen: false,
        canRespond: false,
        canManage: false,
        canNotify: false,
      },
    ],
    sessions: [
      { id: 100, topicId: 10, userId: 2, status: "UserLast" },
      { id: 101, topicId: 10, userId: 2, status: "CustomerLast" },
      { id: 102, topicId: 20, userId: 2, status: "Finished" },
      { id: 103, topicId: 20, userId: null, status: "InQueue" },
    ],
    appTokenHashes: ["apphash"],
  };
}

export function storeSuite(factory: StoreFactory): void {
  describeStore("store contract", factory, (store) => {
    beforeEach(async () => {
      await store.importDirectory(directory());
    });

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

    it("goes by one canonical username for lookup and uniqueness, whatever the case or Unicode form", async () => {
      const tim = await store.createUser({
        username: "tim",
        displayName: "Tim",
        role: "agent",
        passwordHash: null,
      });
      // NFKC plus a full case fold: fullwidth letters, dotless i and ß/SS meet their plain forms.
      for (const variant of ["TIM", "Tim", "ｔｉｍ", "tım", " tim "])
        assert.equal((await store.getUserByUsername(variant))?.id, tim.id, variant);
      // Unicode folds İ to i + U+0307, a different name (whatever the database's lower() says).
      assert.equal(await store.getUserByUsername("tİm"), null);
      for (const variant of ["TIM", "ｔｉｍ", "tım"])
        await assert.rejects(
          store.createUser({
            username: variant,
            displayName: "x",
            role: "agent",
            passwordHash: null,
          }),
          { code: "PRES_ERR_USERNAME_TAKEN" },
          variant,
        );
      const strasse = await store.createUser({
        username: "straße",
        displayName: "S",
        role: "agent",
        passwordHash: null,
      });
      await assert.rejects(
        store.createUser({
          username: "STRASSE",
          displayName: "x",
          role: "agent",
          passwordHash: null,
        }),
        { code: "PRES_ERR_USERNAME_TAKEN" },
      );
      await assert.rejects(store.updateUser(strasse.id, { username: "TIM" }), {
        code: "PRES_ERR_USERNAME_TAKEN",
      });
      await store.updateUser(strasse.id, { username: "Gate" });
      assert.equal((await store.getUserByUsername("GATE"))?.id, strasse.id);
      assert.equal(await store.getUserByUsername("strasse"), null);
      await store.deleteUser(strasse.id);
      await store.deleteUser(tim.id);
    });

    it("imports idempotently and keeps a password hash the file does not carry", async () => {
      const data = directory();
      data.users[0].passwordHash = null;
      await store.importDirectory(data);
      await store.importDirectory(data);
      assert.equal((await store.getUser(1))?.passwordHash, "h1");
      assert.equal((await store.listUsers()).filter((u) => u.id <= 3).length, 3);
    });

    it("stores credentials by hash, expires them and deletes them", async () => {
      const now = Date.now();
      await store.saveCredential({
        hash: "t1",
        kind: "ticket",
        userId: 2,
        expiresAt: now + 60_000,
        xsrfHash: null,
      });
      await store.saveCredential({
        hash: "t2",
        kind: "session",
        userId: 2,
        expiresAt: now - 1,
        xsrfHash: "x",
      });
      assert.equal((await store.findCredential("t1", now))?.userId, 2);
      assert.equal(await store.findCredential("t2", now), null, "expired");
      await store.deleteCredential("t1");
      assert.equal(await store.findCredential("t1", now), null);
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

    it("knows registered app tokens by hash", async () => {
      assert.equal(await store.hasAppToken("apphash"), true);
      assert.equal(await store.hasAppToken("other"), false);
    });
  });
}
