/**
 * Tickets and tokens: they expire, they can be revoked (sign-out, admin revoke over REST and
 * `token revoke` on the command line), and only their hashes are stored; passwords are scrypt.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { sha256 } from "../src/service/secrets.ts";
import { sleep } from "./support/reliability.ts";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const ADMIN = basic("tje0", "Tje0");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("credentials", () => {
  let server: TestServer;
  const db = () => join(server.dir, "test.db");
  const status = async (authorization: string) =>
    (await server.fetch("/api/v1/Auth/Me", { headers: { Authorization: authorization } })).status;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("a ticket expires", async () => {
    const ticket = await server.services.auth.issue("ticket", 883, 400);
    assert.equal(await status(`SoTicket ${ticket}`), 200);
    await sleep(500);
    assert.equal(await status(`SoTicket ${ticket}`), 401);
  });

  it("sign-out revokes the ticket or token it was sent with", async () => {
    for (const kind of ["ticket", "bearer"] as const) {
      const secret = await server.services.auth.issue(kind, 883);
      const header = `${kind === "ticket" ? "SoTicket" : "Bearer"} ${secret}`;
      assert.equal(await status(header), 200);
      const out = await server.fetch("/api/v1/Auth/Logout", {
        method: "POST",
        headers: { Authorization: header },
      });
      assert.equal(out.status, 204);
      assert.equal(await status(header), 401);
    }
  });

  it("DELETE /api/v1/ChatUser/{id}/Credentials ends a user's tickets, tokens and sessions", async () => {
    const ticket = `SoTicket ${await server.services.auth.issue("ticket", 883)}`;
    const bearer = `Bearer ${await server.services.auth.issue("bearer", 883)}`;
    const other = `SoTicket ${await server.services.auth.issue("ticket", 589)}`;
    const login = await server.fetch("/api/v1/Auth/Login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ Username: "kuhn", Password: "s3cret-pw" }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const me = () => server.fetch("/api/v1/Auth/Me", { headers: { Cookie: cookie } });
    assert.equal((await me()).status, 200);
    const revoke = (id: string, authorization: string) =>
      server.fetch(`/api/v1/ChatUser/${id}/Credentials`, {
        method: "DELETE",
        headers: { Authorization: authorization },
      });
    assert.equal((await revoke("883", other)).status, 403, "agents may not");
    assert.equal((await revoke("4242", ADMIN)).status, 404);
    assert.equal((await revoke("x1", ADMIN)).status, 400);
    assert.equal((await revoke("883", ADMIN)).status, 204);
    assert.equal(await status(ticket), 401);
    assert.equal(await status(bearer), 401);
    assert.equal((await me()).status, 401);
    assert.equal(await status(other), 200, "other users keep theirs");
    assert.equal(await status(basic("kuhn", "s3cret-pw")), 200, "the password still works");
  });

  it("chat-presence token revoke --user ends them from the command line", async () => {
    const created = await cli(["token", "create", "--user", "ocon", "--bearer", "--db", db()]);
    assert.equal(created.code, 0, created.stderr);
    const header = `Bearer ${created.stdout.trim()}`;
    assert.equal(await status(header), 200);
    const revoked = await cli(["token", "revoke", "--user", "ocon", "--db", db()]);
    assert.equal(revoked.code, 0, revoked.stderr);
    // The server trusts a resolved credential for credentialCacheMs at most.
    await sleep(server.services.auth.options.credentialCacheMs + 200);
    assert.equal(await status(header), 401);
    assert.equal((await cli(["token", "revoke", "--user", "nobody", "--db", db()])).code, 1);
  });

  it("stores only SHA-256 hashes of secrets, and scrypt hashes of passwords", async () => {
    const secrets = [
      await server.services.auth.issue("ticket", 883),
      await server.services.auth.issue("bearer", 883),
    ];
    const session = (await server.services.auth.login("kuhn", "s3cret-pw")).session;
    secrets.push(session);
    const store = new Database(db(), { readonly: true });
    const hashes = new Set(
      (store.prepare("SELECT hash FROM credentials").pluck().all() as string[]).map(String),
    );
    const passwordHash = store
      .prepare("SELECT password_hash FROM users WHERE username = 'kuhn'")
      .pluck()
      .get() as string;
    store.close();
    for (const secret of secrets) assert.ok(hashes.has(sha256(secret)));
    assert.match(passwordHash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    // Nowhere in the database files (main file and WAL) is a secret or password in clear.
    const bytes = readdirSync(server.dir)
      .filter((f) => f.startsWith("test.db"))
      .map((f) => readFileSync(join(server.dir, f)).toString("latin1"))
      .join("");
    for (const secret of [...secrets, "s3cret-pw", "Tje0"])
      assert.ok(!bytes.includes(secret), `${secret.slice(0, 6)}… is stored in clear`);
  });
});
