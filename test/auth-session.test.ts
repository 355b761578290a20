/**
 * Browser sessions (sign-in cookies and the XSRF check) and that no secret
 * ever reaches the log.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ADMIN, expectError, post, presentByUser, ROUTES, setPresent } from "./support/rest.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

interface Session {
  cookie: string;
  xsrf: string;
  setCookies: string[];
}

/** Signs in through POST /api/v1/Auth/Login (JSON or form) and returns the cookies. */
async function login(server: TestServer, form = false, password = PASSWORD): Promise<Session> {
  const response = await server.fetch("/api/v1/Auth/Login", {
    method: "POST",
    headers: {
      "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json",
      // A browser's own page: a form post without Origin or Referer is refused.
      Origin: server.url,
    },
    body: form
      ? `username=kuhn&password=${encodeURIComponent(password)}`
      : JSON.stringify({ username: "kuhn", password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const setCookies = response.headers.getSetCookie();
  const value = (name: string) =>
    setCookies
      .find((c) => c.startsWith(`${name}=`))
      ?.split(";")[0]
      .slice(name.length + 1) ?? "";
  const session = value("chat_presence_session");
  const xsrf = decodeURIComponent(value("XSRF-TOKEN"));
  assert.ok(session && xsrf, "both cookies set");
  return { cookie: `chat_presence_session=${session}; XSRF-TOKEN=${xsrf}`, xsrf, setCookies };
}

function saveAsSession(server: TestServer, session: Session, xsrfHeader?: string) {
  const headers: Record<string, string> = { Cookie: session.cookie };
  if (xsrfHeader !== undefined) headers["X-XSRF-TOKEN"] = xsrfHeader;
  return post(server, ROUTES.saveAll, [{ UserId: 883, Present: true }], { auth: null, headers });
}

describe("browser sessions: cookies and XSRF", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("sets an HttpOnly session cookie and a script-readable XSRF-TOKEN cookie", async () => {
    for (const form of [false, true]) {
      const { setCookies } = await login(server, form);
      const session = setCookies.find((c) => c.startsWith("chat_presence_session="));
      const xsrf = setCookies.find((c) => c.startsWith("XSRF-TOKEN="));
      assert.match(session ?? "", /; HttpOnly/);
      assert.match(session ?? "", /; SameSite=(Strict|Lax)/);
      assert.match(session ?? "", /; Path=\//);
      assert.doesNotMatch(xsrf ?? "", /HttpOnly/);
    }
  });

  it("401s a wrong password and sets no cookie", async () => {
    const response = await post(
      server,
      "/api/v1/Auth/Login",
      { username: "kuhn", password: "wrong" },
      { auth: null },
    );
    assert.deepEqual(response.headers.getSetCookie(), []);
    await expectError(response, 401, { type: "SoAuthenticationException" });
  });

  it("reads with the cookie alone (no XSRF needed for GET)", async () => {
    const session = await login(server);
    const response = await server.fetch(ROUTES.getAll, { headers: { Cookie: session.cookie } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as unknown[]).length, 4);
  });

  it("403s a cookie-authenticated save without X-XSRF-TOKEN, and saves nothing", async () => {
    await setPresent(server, [{ UserId: 883, Present: false }]);
    const session = await login(server);
    await expectError(await saveAsSession(server, session), 403, { message: /XSRF/ });
    await expectError(await saveAsSession(server, session, ""), 403, { message: /XSRF/ });
    assert.equal((await presentByUser(server))[883], false);
  });

  it("403s a wrong X-XSRF-TOKEN, including another session's", async () => {
    const session = await login(server);
    const other = await login(server);
    await expectError(await saveAsSession(server, session, "forged"), 403);
    await expectError(await saveAsSession(server, session, other.xsrf), 403);
    await expectError(await saveAsSession(server, session, `${session.xsrf}x`), 403);
    assert.equal((await presentByUser(server))[883], false);
  });

  it("saves with the matching X-XSRF-TOKEN, and applies the agent's rights", async () => {
    const session = await login(server);
    assert.equal((await saveAsSession(server, session, session.xsrf)).status, 204);
    assert.equal((await presentByUser(server))[883], true);
    const someoneElse = await post(server, ROUTES.saveAll, [{ UserId: 589, Present: true }], {
      auth: null,
      headers: { Cookie: session.cookie, "X-XSRF-TOKEN": session.xsrf },
    });
    await expectError(someoneElse, 403, { message: /589/ });
  });

  it("ends the session on logout (which itself needs the XSRF header)", async () => {
    const session = await login(server);
    const logout = (xsrf?: string) =>
      server.fetch("/api/v1/Auth/Logout", {
        method: "POST",
        headers: xsrf
          ? { Cookie: session.cookie, "X-XSRF-TOKEN": xsrf }
          : { Cookie: session.cookie },
      });
    await expectError(await logout(), 403);
    const response = await logout(session.xsrf);
    assert.equal(response.status, 204);
    const cleared = response.headers.getSetCookie();
    assert.ok(
      cleared.some((c) => /^chat_presence_session=;.*Max-Age=0/.test(c)),
      cleared.join(),
    );
    const after = await server.fetch(ROUTES.getAll, { headers: { Cookie: session.cookie } });
    await expectError(after, 401);
  });

  it("lets an Authorization header win over a cookie (no XSRF needed then)", async () => {
    const session = await login(server);
    const response = await post(server, ROUTES.saveAll, [{ UserId: 589, Present: true }], {
      auth: ADMIN,
      headers: { Cookie: session.cookie },
    });
    assert.equal(response.status, 204);
  });
});

describe("no secret in the log", () => {
  it("logs requests but never a password, ticket, token, cookie or app token", async () => {
    let log = "";
    const stream = new Writable({
      write(chunk, _encoding, done) {
        log += chunk;
        done();
      },
    });
    const server = await startTestServer({ logger: { level: "trace", stream } });
    const secrets = [PASSWORD, "Tje0", ADMIN.slice(6), "app-123", "forged-xsrf", "wrong-pw-77"];
    try {
      const ticket = await server.services.auth.issue("ticket", 883);
      const token = await server.services.auth.issue("bearer", 883);
      const session = await login(server);
      secrets.push(
        basic("kuhn", PASSWORD).slice(6),
        basic("kuhn", "wrong-pw-77").slice(6),
        ticket.slice(3),
        token.slice(3),
        session.xsrf,
        session.cookie.split(";")[0].split("=")[1],
      );
      const calls: [string, Record<string, string>][] = [
        [ROUTES.getAll, { Authorization: ADMIN, "SO-AppToken": "app-123" }],
        [ROUTES.getAll, { Authorization: basic("kuhn", PASSWORD) }],
        [ROUTES.getAll, { Authorization: basic("kuhn", "wrong-pw-77") }],
        [ROUTES.getAll, { Authorization: `SoTicket ${ticket}` }],
        [ROUTES.getAll, { Authorization: `Bearer ${ticket}` }],
        [ROUTES.getAll, { Authorization: `Bearer ${token}` }],
        [ROUTES.getAll, { Cookie: session.cookie }],
      ];
      for (const [path, headers] of calls) await server.fetch(path, { headers });
      await saveAsSession(server, session, session.xsrf);
      await saveAsSession(server, session, "forged-xsrf");
      await login(server, true);
      await post(server, ROUTES.saveAll, "[{", { auth: `SoTicket ${ticket}` });
    } finally {
      await server.close();
    }
    assert.match(log, /"url":"\/api\/v1\/Presence\/GetAll"/, "requests are logged");
    assert.match(log, /"url":"\/api\/v1\/Auth\/Login"/);
    assert.equal(secrets.length, 12);
    for (const secret of secrets) assert.ok(!log.includes(secret), `log contains ${secret}`);
    for (const pattern of [
      /7T:/,
      /8A:/,
      /chat_presence_session=/,
      /XSRF-TOKEN=/,
      /"authorization"/i,
    ])
      assert.doesNotMatch(log, pattern);
  });
});
