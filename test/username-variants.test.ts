/**
 * One canonical username for sign-in, the throttle and uniqueness, on SQLite and PostgreSQL:
 * with tim locked, no spelling of tim signs in with the right password (those that are tim
 * share its lock; the others are other names), and no spelling of tim can be created.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { soapSignIn } from "./support/reliability.ts";
import { basic, PASSWORD, startTestServer, type TestServer, testSeed } from "./support/server.ts";

const skipPostgres = await announceSkip("username variants");

/**
 * Spellings that are tim once folded (they share its throttle), and a look-alike that is not:
 * Unicode folds İ to i + U+0307, whatever PostgreSQL's lower() makes of it.
 */
const SAME_AS_TIM = ["TIM", "Tim", "ｔｉｍ", "tım", "ＴＩＭ"];
const OTHER_NAMES = ["tİm"];

function seedWithTim() {
  const seed = testSeed();
  seed.users.push({
    id: 50,
    username: "tim",
    displayName: "Tim",
    role: "agent",
    present: false,
    password: PASSWORD,
    passwordHash: null,
  });
  return seed;
}

async function basicStatus(server: TestServer, username: string, password: string) {
  const response = await server.fetch("/api/v1/Presence/GetAll", {
    headers: { Authorization: basic(username, password) },
  });
  await response.arrayBuffer();
  return response.status;
}

async function loginStatus(server: TestServer, username: string, password: string) {
  const response = await server.fetch("/api/v1/Auth/Login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: server.url },
    body: JSON.stringify({ Username: username, Password: password }),
  });
  await response.arrayBuffer();
  return response.status;
}

function variantsSuite(backend: string, skip: boolean, db: () => string | undefined) {
  describe(`username variants: ${backend}`, { skip }, () => {
    let server: TestServer;
    let admin: string;
    before(async () => {
      const location = db();
      server = await startTestServer({
        signIn: { lockMs: 60_000 },
        ...(location ? { db: location } : {}),
      });
      await server.services.directory.importSeed(seedWithTim());
      admin = `SoTicket ${await server.services.auth.issue("ticket", 1)}`;
    });
    after(() => server?.close());

    it("with tim locked, no spelling of tim signs in with the right password", async () => {
      assert.equal(await loginStatus(server, "tim", PASSWORD), 200);
      for (let i = 0; i < 5; i++) assert.equal(await basicStatus(server, "tim", `wrong-${i}`), 401);
      assert.equal(await basicStatus(server, "tim", PASSWORD), 429);
      for (const variant of SAME_AS_TIM) {
        assert.equal(await basicStatus(server, variant, PASSWORD), 429, `Basic ${variant}`);
        assert.equal(await loginStatus(server, variant, PASSWORD), 429, `Login ${variant}`);
        const soap = await soapSignIn(server.url, variant, PASSWORD);
        assert.match(soap.text, /PRES_ERR_THROTTLED/, `SOAP ${variant}`);
      }
      for (const variant of OTHER_NAMES) {
        assert.equal(await basicStatus(server, variant, PASSWORD), 401, `Basic ${variant}`);
        assert.equal(await loginStatus(server, variant, PASSWORD), 401, `Login ${variant}`);
        const soap = await soapSignIn(server.url, variant, PASSWORD);
        assert.match(soap.text, /AuthenticationSucceeded>false</, `SOAP ${variant}`);
      }
    });

    it("refuses to create or rename onto any spelling of an existing name (409)", async () => {
      const create = (username: string) =>
        server.fetch("/api/v1/ChatUser", {
          method: "POST",
          headers: { Authorization: admin, "Content-Type": "application/json" },
          body: JSON.stringify({ Username: username, Password: "long-enough-pw" }),
        });
      for (const variant of SAME_AS_TIM) {
        const response = await create(variant);
        assert.equal(response.status, 409, variant);
        assert.equal(
          ((await response.json()) as { ErrorCode: string }).ErrorCode,
          "PRES_ERR_USERNAME_TAKEN",
        );
      }
      const rename = await server.fetch("/api/v1/ChatUser/883", {
        method: "PUT",
        headers: { Authorization: admin, "Content-Type": "application/json" },
        body: JSON.stringify({ Username: "ＴＩＭ" }),
      });
      assert.equal(rename.status, 409);
      await rename.arrayBuffer();
    });
  });
}

variantsSuite("sqlite", false, () => undefined);
const scratch = scratchSchema();
variantsSuite("postgres", skipPostgres, () => scratch.url);
after(() => (skipPostgres ? undefined : scratch.drop()));
