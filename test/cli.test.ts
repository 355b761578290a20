/**
 * The operator commands through the real CLI (bin/chat-presence.js runs
 * the build in dist/; `npm test` builds first): user add|passwd|rm, token create, import.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { withServices } from "../src/cli/options.ts";
import type { PresenceError } from "../src/domain/errors.ts";
import { sha256 } from "../src/service/secrets.ts";
import { OPERATOR } from "../src/service/users.ts";
import { openStore } from "../src/store/open.ts";
import type { Store } from "../src/store/store.ts";
import { cli, SEED, workspace } from "./support/cli.ts";

/** Reads the store the CLI wrote, directly: what was saved, not what a service shows. */
async function withStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe("chat-presence CLI: users, tokens, import", () => {
  let space: ReturnType<typeof workspace>;
  let dir: string;
  let db: string;
  let seedFile: string;
  before(() => {
    space = workspace();
    ({ dir, seedFile } = space);
    db = join(dir, "cli.db");
  });
  after(() => space.close());

  /** Who an Authorization header signs in as over the CLI's database (the HTTP 401 if nobody). */
  function whoAmI(authorization: string): Promise<number | string> {
    return withServices(db, (s) =>
      s.auth.authenticateHeader(authorization, undefined).then(
        (actor) => actor.username,
        (error: PresenceError) => error.status,
      ),
    );
  }

  it("user add creates agents and admins, the password from a flag or stdin", async () => {
    const admin = await cli([
      "user",
      "add",
      "olga",
      "--admin",
      "--password",
      "olga-pw-1",
      "--db",
      db,
    ]);
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(admin.stdout, /^Added admin olga with UserId \d+\.\n$/);
    const agent = await cli(["user", "add", "per", "--id", "42", "--password-stdin", "--db", db], {
      input: "stdin-pw\n",
    });
    assert.equal(agent.stdout, "Added agent per with UserId 42.\n");
    const duplicate = await cli(["user", "add", "per", "--db", db]);
    assert.notEqual(duplicate.code, 0);
    // The same rules as the ChatUser API: a short password or a username with spaces is refused.
    const short = await cli(["user", "add", "shorty", "--password", "abc", "--db", db]);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /at least 8 characters/);
    assert.notEqual((await cli(["user", "add", "two words", "--db", db])).code, 0);
    assert.equal(await whoAmI(`Basic ${btoa("per:stdin-pw")}`), "per");
    assert.equal(await whoAmI(`Basic ${btoa("olga:olga-pw-1")}`), "olga");
  });

  it("token create prints exactly one line: a SoTicket, or a Bearer token with --bearer", async () => {
    const ticket = await cli(["token", "create", "--user", "per", "--db", db]);
    assert.equal(ticket.code, 0, ticket.stderr);
    assert.match(ticket.stdout, /^7T:[\w-]+\n$/);
    const bearer = await cli([
      "token",
      "create",
      "--user",
      "olga",
      "--bearer",
      "--ttl",
      "15m",
      "--db",
      db,
    ]);
    assert.match(bearer.stdout, /^8A:[\w-]+\n$/);
    assert.equal(await whoAmI(`SoTicket ${ticket.stdout.trim()}`), "per");
    assert.equal(await whoAmI(`Bearer ${bearer.stdout.trim()}`), "olga");
    assert.equal(await whoAmI(`Bearer ${ticket.stdout.trim()}`), 401);
  });

  it("token create honours --ttl (30s, 15m, 8h) and stores only the hash", async () => {
    for (const [ttl, ms] of [
      ["30s", 30_000],
      ["15m", 900_000],
      ["8h", 28_800_000],
    ] as const) {
      const started = Date.now();
      const run = await cli(["token", "create", "--user", "per", "--ttl", ttl, "--db", db]);
      const secret = run.stdout.trim();
      const stored = await withStore(db, (store) =>
        store.findCredential(sha256(secret), Date.now()),
      );
      assert.ok(stored, ttl);
      assert.ok(stored.expiresAt >= started + ms && stored.expiresAt <= Date.now() + ms, ttl);
    }
  });

  it("token create fails cleanly: unknown user, bad ttl; nothing on stdout", async () => {
    for (const args of [
      ["--user", "nobody"],
      ["--user", "per", "--ttl", "0s"],
      ["--user", "per", "--ttl", "soon"],
    ]) {
      const run = await cli(["token", "create", ...args, "--db", db]);
      assert.notEqual(run.code, 0, args.join(" "));
      assert.equal(run.stdout, "");
      assert.ok(run.stderr.length > 0);
    }
  });

  it("user passwd changes the password (flag or stdin); the old one stops working", async () => {
    const ticket = (await cli(["token", "create", "--user", "per", "--db", db])).stdout.trim();
    assert.equal(await whoAmI(`SoTicket ${ticket}`), "per");
    const run = await cli(["user", "passwd", "per", "--password", "next-pw-2", "--db", db]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await whoAmI(`SoTicket ${ticket}`), 401, "a password change signs the user out");
    assert.equal(await whoAmI(`Basic ${btoa("per:stdin-pw")}`), 401);
    assert.equal(await whoAmI(`Basic ${btoa("per:next-pw-2")}`), "per");
    await cli(["user", "passwd", "per", "--password-stdin", "--db", db], { input: "third-pw\n" });
    assert.equal(await whoAmI(`Basic ${btoa("per:third-pw")}`), "per");
    assert.notEqual(
      (await cli(["user", "passwd", "nobody", "--password", "x", "--db", db])).code,
      0,
    );
  });

  it("user rm removes the user and their tickets", async () => {
    const ticket = (await cli(["token", "create", "--user", "per", "--db", db])).stdout.trim();
    const run = await cli(["user", "rm", "per", "--db", db]);
    assert.equal(run.stdout, "Removed per.\n");
    assert.equal(await whoAmI(`SoTicket ${ticket}`), 401);
    const users = await withServices(db, (s) => s.users.list(OPERATOR));
    assert.deepEqual(
      users.map((u) => u.username),
      ["olga"],
    );
    assert.notEqual((await cli(["user", "rm", "per", "--db", db])).code, 0);
  });

  it("import upserts idempotently: twice gives the same state", async () => {
    const importDb = join(dir, "import.db");
    const snapshot = async () => ({
      users: await withServices(importDb, async (s) =>
        (await s.users.list(OPERATOR)).map(({ passwordHash: _, ...u }) => u),
      ),
      ...(await withStore(importDb, async (store) => ({
        presence: await store.listPresence(),
        appToken: await store.hasAppToken(sha256("app-123")),
      }))),
    });
    const first = await cli(["import", seedFile, "--db", importDb]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /2 users, 1 topics, 1 memberships, 1 sessions, 1 app tokens/);
    const once = await snapshot();
    assert.deepEqual(once.presence, [
      { UserId: 1, DisplayName: "Anna Berg", OngoingChats: 1, Present: false, ChatTopics: [10] },
      { UserId: 2, DisplayName: "Bo Ek", OngoingChats: 0, Present: true, ChatTopics: [] },
    ]);
    assert.equal(once.users[0].role, "admin");
    assert.equal(once.users[1].role, "agent");
    assert.equal(once.appToken, true);
    assert.equal((await cli(["import", seedFile, "--db", importDb])).code, 0);
    assert.deepEqual(await snapshot(), once);
    const verified = await withServices(importDb, (s) =>
      s.auth.verifyUsernamePassword("anna", "s3cret"),
    );
    assert.equal(verified?.id, 1);
  });

  it("import rejects an invalid file, naming the place, and applies nothing", async () => {
    const badDb = join(dir, "bad.db");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ users: [SEED.users[0], { id: "two", username: "x" }] }));
    const run = await cli(["import", bad, "--db", badDb]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /users\[1\]\.id/);
    assert.deepEqual(await withServices(badDb, (s) => s.users.list(OPERATOR)), []);
  });
});
