/** The credentials part of the store contract: tickets, tokens and sessions by hash; app tokens. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, resetStore, type StoreFactory } from "../support/store-contract.ts";

function credentialsSuite(backend: StoreFactory): void {
  describeStore("credentials store", backend, (store) => {
    beforeEach(() => resetStore(store));

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

    it("revokes every credential of one user and no one else's", async () => {
      const expiresAt = Date.now() + 60_000;
      await store.saveCredential({
        hash: "c1",
        kind: "ticket",
        userId: 3,
        expiresAt,
        xsrfHash: null,
      });
      await store.saveCredential({
        hash: "c2",
        kind: "bearer",
        userId: 2,
        expiresAt,
        xsrfHash: null,
      });
      await store.deleteCredentialsOf(3);
      assert.equal(await store.findCredential("c1", Date.now()), null);
      assert.equal((await store.findCredential("c2", Date.now()))?.userId, 2);
    });

    it("knows registered app tokens by hash", async () => {
      assert.equal(await store.hasAppToken("apphash"), true);
      assert.equal(await store.hasAppToken("other"), false);
    });
  });
}

for (const backend of BACKENDS) credentialsSuite(backend);
