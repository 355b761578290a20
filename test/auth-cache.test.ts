/** The short-lived cache of resolved tickets, tokens and sessions in AuthService. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AuthService, DEFAULT_AUTH_OPTIONS } from "../src/service/auth.ts";
import { AuthCaches } from "../src/service/auth-caches.ts";
import { sha256 } from "../src/service/secrets.ts";
import { createServices } from "../src/service/services.ts";
import { openStore } from "../src/store/open.ts";
import type { Store } from "../src/store/store.ts";

describe("credential cache", () => {
  let store: Store;
  before(async () => {
    store = await openStore(":memory:");
    await store.createUser({
      id: 7,
      username: "ann",
      displayName: "Ann",
      role: "agent",
      passwordHash: null,
    });
    await store.createUser({
      id: 8,
      username: "bob",
      displayName: "Bob",
      role: "admin",
      passwordHash: null,
    });
  });
  after(() => store.close());

  const auth = (credentialCacheMs: number) =>
    new AuthService(store, { ...DEFAULT_AUTH_OPTIONS, credentialCacheMs });

  it("answers a repeated ticket without the store while fresh", async () => {
    const service = auth(60_000);
    const ticket = await service.issue("ticket", 7);
    assert.equal((await service.authenticateTicket(ticket)).username, "ann");
    await store.deleteCredential(sha256(ticket)); // behind the service's back
    assert.equal((await service.authenticateTicket(ticket)).username, "ann");
  });

  it("asks the store every time when turned off", async () => {
    const service = auth(0);
    const ticket = await service.issue("ticket", 7);
    await service.authenticateTicket(ticket);
    await store.deleteCredential(sha256(ticket));
    await assert.rejects(service.authenticateTicket(ticket), /unknown or has expired/);
  });

  it("refuses a revoked ticket at once, cached or not", async () => {
    const service = auth(60_000);
    const ticket = await service.issue("ticket", 7);
    await service.authenticateHeader(`SoTicket ${ticket}`, undefined);
    await service.revoke(ticket);
    await assert.rejects(service.authenticateHeader(`SoTicket ${ticket}`, undefined));
  });

  it("never trusts a credential past its own expiry", async () => {
    const service = auth(60_000);
    const token = await service.issue("bearer", 8, 100);
    assert.equal((await service.authenticateHeader(`Bearer ${token}`, undefined)).role, "admin");
    await sleep(150);
    await assert.rejects(service.authenticateHeader(`Bearer ${token}`, undefined), /expired/);
  });

  it("keeps the kinds apart when cached", async () => {
    const service = auth(60_000);
    const ticket = await service.issue("ticket", 7);
    await service.authenticateHeader(`SoTicket ${ticket}`, undefined);
    await assert.rejects(service.authenticateHeader(`Bearer ${ticket}`, undefined), /token/);
  });
});

describe("credential cache and user changes (one node)", () => {
  it("a role change, rename, password reset or deletion applies to cached credentials at once", async () => {
    const store = await openStore(":memory:");
    try {
      const services = createServices(store, { auth: { credentialCacheMs: 60_000 } });
      const operator = { userId: 0, username: "(operator)", role: "admin" as const };
      const boss = await services.users.create(operator, {
        username: "boss",
        role: "admin",
        password: "long-enough-pw",
      });
      const ticket = `SoTicket ${await services.auth.issue("ticket", boss.id)}`;
      const basicHeader = `Basic ${Buffer.from("boss:long-enough-pw").toString("base64")}`;
      const role = async (header: string) =>
        (await services.auth.authenticateHeader(header, undefined)).role;
      assert.equal(await role(ticket), "admin");
      assert.equal(await role(basicHeader), "admin");
      await services.users.update(operator, boss.id, { role: "agent" });
      assert.equal(await role(ticket), "agent");
      assert.equal(await role(basicHeader), "agent");
      await services.users.update(operator, boss.id, { username: "chief" });
      assert.equal((await services.auth.authenticateHeader(ticket, undefined)).username, "chief");
      await assert.rejects(services.auth.authenticateHeader(basicHeader, undefined), /wrong/);
      const second = `SoTicket ${await services.auth.issue("ticket", boss.id)}`;
      await role(second);
      await services.users.resetPassword(operator, boss.id, "another-long-pw");
      await assert.rejects(services.auth.authenticateHeader(second, undefined), /unknown/);
      const third = `SoTicket ${await services.auth.issue("ticket", boss.id)}`;
      await role(third);
      await services.users.delete(operator, boss.id);
      await assert.rejects(services.auth.authenticateHeader(third, undefined));
    } finally {
      await store.close();
    }
  });
});

describe("AuthCaches", () => {
  it("does not cache what a lookup read before a user changed (it may be the old role)", () => {
    const caches = new AuthCaches();
    const resolved = {
      kind: "ticket" as const,
      xsrfHash: null,
      actor: { userId: 7, username: "ann", role: "admin" as const },
      until: Date.now() + 60_000,
    };
    const began = caches.generation;
    caches.forgetUser(7); // the change lands while the lookup is reading the store
    caches.credentials.keep("h", resolved, began);
    assert.equal(caches.credentials.get("h", Date.now()), undefined);
    caches.credentials.keep("h", resolved, caches.generation);
    assert.equal(caches.credentials.get("h", Date.now()), resolved);
    caches.forgetUser(null); // the bus may have missed changes: everyone
    assert.equal(caches.credentials.get("h", Date.now()), undefined);
  });
});
