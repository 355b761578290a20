/** The short-lived cache of resolved tickets, tokens and sessions in AuthService. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AuthService, DEFAULT_AUTH_OPTIONS } from "../src/service/auth.ts";
import { sha256 } from "../src/service/secrets.ts";
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
