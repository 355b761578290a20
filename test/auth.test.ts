/**
 * The Authorization schemes (Basic, SoTicket, Bearer), every way each one
 * fails, and SuperOffice Online's rules (SO-AppToken required, Basic refused).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { OPERATOR } from "../src/service/users.ts";
import { ADMIN, expectError, KUHN, ROUTES } from "./support/rest.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

/** GET /api/v1/Auth/Me with these headers: 200 tells who the caller is. */
function me(server: TestServer, headers: Record<string, string>) {
  return server.fetch("/api/v1/Auth/Me", { headers });
}

async function signedInAs(server: TestServer, headers: Record<string, string>) {
  const response = await me(server, headers);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { Username: string }).Username;
}

/** Asserts a 401 with the error body and a WWW-Authenticate challenge; returns the challenge. */
async function expect401(response: Response, message?: RegExp): Promise<string> {
  const challenge = response.headers.get("www-authenticate") ?? "";
  await expectError(response, 401, { type: "SoAuthenticationException", message });
  assert.match(challenge, /SoTicket/);
  assert.match(challenge, /Bearer/);
  return challenge;
}

describe("auth on-site: Basic, SoTicket and Bearer", () => {
  let server: TestServer;
  let ticket: string;
  let token: string;
  before(async () => {
    server = await startTestServer();
    ticket = await server.services.auth.issue("ticket", 883);
    token = await server.services.auth.issue("bearer", 589);
  });
  after(() => server.close());

  it("issues opaque tickets (7T:) and tokens (8A:), storing only a hash", async () => {
    assert.match(ticket, /^7T:[\w-]{20,}$/);
    assert.match(token, /^8A:[\w-]{20,}$/);
    const again = await server.services.auth.issue("ticket", 883);
    assert.notEqual(again, ticket);
    const stored = await server.store.findCredential(ticket, Date.now());
    assert.equal(stored, null, "the raw ticket is not a lookup key");
  });

  it("accepts Basic, the seed samples' header included", async () => {
    assert.equal(await signedInAs(server, { Authorization: ADMIN }), "tje0");
    assert.equal(await signedInAs(server, { Authorization: KUHN }), "kuhn");
    assert.equal(await signedInAs(server, { Authorization: `basic ${KUHN.slice(6)}` }), "kuhn");
  });

  it("accepts SoTicket with the scheme in any case (the TS client sends SOTicket)", async () => {
    for (const scheme of ["SoTicket", "SOTicket", "soticket", "SOTICKET"])
      assert.equal(await signedInAs(server, { Authorization: `${scheme} ${ticket}` }), "kuhn");
  });

  it("accepts Bearer tokens", async () => {
    for (const scheme of ["Bearer", "bearer"])
      assert.equal(await signedInAs(server, { Authorization: `${scheme} ${token}` }), "ocon");
  });

  it("protects every presence route", async () => {
    for (const [method, route] of [
      ["GET", ROUTES.getAll],
      ["POST", ROUTES.saveAll],
      ["POST", ROUTES.getChat],
      ["POST", ROUTES.saveChat],
    ]) {
      await expect401(await server.fetch(route, { method }), /Authorization/);
      const ok = await server.fetch(route, {
        method,
        headers: {
          Authorization: `SoTicket ${ticket}`,
          "Content-Type": "application/json",
        },
        body:
          method === "POST" ? (route === ROUTES.saveAll ? "[]" : '{"ChatPresence":[]}') : undefined,
      });
      assert.ok(ok.status === 200 || ok.status === 204, `${route}: ${ok.status}`);
    }
  });

  const failures: [string, () => string, RegExp][] = [
    ["a missing header", () => "", /Authorization/],
    ["Basic that is not base64 of user:password", () => "Basic !!!", /username:password/],
    ["Basic without a colon", () => `Basic ${btoa("kuhn")}`, /username:password/],
    ["an empty Basic", () => "Basic", /username:password/],
    ["a wrong password", () => basic("kuhn", "wrong"), /wrong username or password/],
    ["an unknown user", () => basic("nobody", PASSWORD), /wrong username or password/],
    ["a user without a password", () => basic("tick", ""), /wrong username or password/],
    ["an unknown ticket", () => "SoTicket 7T:not-a-real-ticket", /unknown or has expired/],
    ["an empty SoTicket", () => "SoTicket", /unknown or has expired/],
    ["an unknown bearer token", () => "Bearer 8A:not-a-real-token", /unknown or has expired/],
    ["an unsupported scheme", () => "Digest username=kuhn", /digest/i],
    ["a bare value with no scheme", () => "7T:abc", /not supported/],
  ];
  for (const [what, header, message] of failures) {
    it(`401s ${what}, with a challenge`, async () => {
      const value = header();
      const response = await me(server, value ? { Authorization: value } : {});
      const challenge = await expect401(response, message);
      assert.match(challenge, /Basic/, "on-site offers Basic too");
    });
  }

  it("401s a ticket used as a Bearer token and a token used as a ticket", async () => {
    await expect401(await me(server, { Authorization: `Bearer ${ticket}` }));
    await expect401(await me(server, { Authorization: `SoTicket ${token}` }));
  });

  it("401s an expired ticket and an expired token", async () => {
    const shortTicket = await server.services.auth.issue("ticket", 883, 50);
    const shortToken = await server.services.auth.issue("bearer", 883, 50);
    assert.equal(await signedInAs(server, { Authorization: `SoTicket ${shortTicket}` }), "kuhn");
    await sleep(80);
    await expect401(await me(server, { Authorization: `SoTicket ${shortTicket}` }), /expired/);
    await expect401(await me(server, { Authorization: `Bearer ${shortToken}` }), /expired/);
  });

  it("401s a ticket whose user was removed", async () => {
    await server.services.users.create(OPERATOR, { id: 960, username: "gone", role: "agent" });
    const orphan = await server.services.auth.issue("ticket", 960);
    await server.services.users.delete(OPERATOR, 960);
    await expect401(await me(server, { Authorization: `SoTicket ${orphan}` }));
  });

  it("stops accepting a changed password at once", async () => {
    await server.services.users.create(OPERATOR, {
      id: 961,
      username: "rotate",
      role: "agent",
      password: "first-pw",
    });
    assert.equal(
      await signedInAs(server, { Authorization: basic("rotate", "first-pw") }),
      "rotate",
    );
    await server.services.users.resetPassword(OPERATOR, 961, "second-pw");
    await expect401(await me(server, { Authorization: basic("rotate", "first-pw") }));
    assert.equal(
      await signedInAs(server, { Authorization: basic("rotate", "second-pw") }),
      "rotate",
    );
  });

  it("revokes a ticket on POST /api/v1/Auth/Logout", async () => {
    const doomed = await server.services.auth.issue("ticket", 883);
    const logout = await server.fetch("/api/v1/Auth/Logout", {
      method: "POST",
      headers: { Authorization: `SoTicket ${doomed}` },
    });
    assert.equal(logout.status, 204);
    await expect401(await me(server, { Authorization: `SoTicket ${doomed}` }));
  });

  it("ignores SO-AppToken on-site, even an unregistered one", async () => {
    const headers = { Authorization: KUHN, "SO-AppToken": "not-registered" };
    assert.equal(await signedInAs(server, headers), "kuhn");
  });
});

describe("auth online (--online): SO-AppToken required, Basic refused", () => {
  let server: TestServer;
  let ticket: string;
  let token: string;
  before(async () => {
    server = await startTestServer({ online: true });
    ticket = await server.services.auth.issue("ticket", 883);
    token = await server.services.auth.issue("bearer", 589);
  });
  after(() => server.close());

  it("accepts a ticket or token with a registered app token", async () => {
    const app = { "SO-AppToken": "app-123" };
    assert.equal(await signedInAs(server, { ...app, Authorization: `SoTicket ${ticket}` }), "kuhn");
    assert.equal(await signedInAs(server, { ...app, Authorization: `Bearer ${token}` }), "ocon");
    const list = await server.fetch(ROUTES.getAll, {
      headers: { ...app, Authorization: `SoTicket ${ticket}` },
    });
    assert.equal(list.status, 200);
  });

  it("401s without an app token", async () => {
    await expect401(await me(server, { Authorization: `SoTicket ${ticket}` }), /SO-AppToken/);
  });

  it("401s an unregistered app token", async () => {
    const headers = { Authorization: `SoTicket ${ticket}`, "SO-AppToken": "app-999" };
    await expect401(await me(server, headers), /SO-AppToken/);
  });

  it("refuses Basic even with a valid app token and right password; no Basic challenge", async () => {
    const response = await me(server, { Authorization: ADMIN, "SO-AppToken": "app-123" });
    const challenge = await expect401(response, /Basic/);
    assert.doesNotMatch(challenge, /Basic/);
  });

  it("still 401s a bad ticket when the app token is fine", async () => {
    const headers = { Authorization: "SoTicket 7T:nope", "SO-AppToken": "app-123" };
    await expect401(await me(server, headers), /unknown or has expired/);
  });
});
