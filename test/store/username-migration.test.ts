/**
 * The canonical-username migration on a store written before it: existing rows get their
 * canonical form, lookups find them by any spelling, a variant cannot be added, and rows that
 * would become one name stop the migration with both named (nothing half-migrated).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { MIGRATIONS as PG_MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { announceSkip, PG_URL, scratchSchema } from "../postgres.ts";

const skipPostgres = await announceSkip("username migration");

/** Users as an older release stored them (no canonical form). */
const OLD_USERS: [number, string][] = [
  [1, "Tim"],
  [2, "ｓａｒａ"],
  [3, "Straße"],
];

/** The migrations a store had before the canonical-username one. */
function olderThanCanonical<T extends { version: number; name: string }>(migrations: T[]): T[] {
  const canonical = migrations.find((m) => m.name.startsWith("canonical usernames"));
  assert.ok(canonical);
  return migrations.filter((m) => m.version < canonical.version);
}

async function checkMigrated(store: Store): Promise<void> {
  assert.equal((await store.getUserByUsername("TIM"))?.id, 1);
  assert.equal((await store.getUserByUsername("sara"))?.id, 2);
  assert.equal((await store.getUserByUsername("STRASSE"))?.id, 3);
  assert.equal((await store.getUser(2))?.username, "ｓａｒａ", "the name itself is kept");
  await assert.rejects(
    store.createUser({ username: "SARA", displayName: "x", role: "agent", passwordHash: null }),
    { code: "PRES_ERR_USERNAME_TAKEN" },
  );
}

describe("canonical usernames migration: sqlite", () => {
  const before = olderThanCanonical(SQLITE_MIGRATIONS);

  function oldDatabase(users: [number, string][]): { path: string; cleanup(): void } {
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-migration-"));
    const path = join(dir, "old.db");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)");
    for (const migration of before) {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(
        migration.version,
        migration.name,
      );
    }
    const insert = db.prepare("INSERT INTO users (id, username, role) VALUES (?, ?, 'agent')");
    for (const [id, username] of users) insert.run(id, username);
    db.close();
    return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it("gives existing rows their canonical form", async () => {
    const old = oldDatabase(OLD_USERS);
    try {
      const store = openSqliteStore({ path: old.path });
      try {
        await checkMigrated(store);
      } finally {
        await store.close();
      }
    } finally {
      old.cleanup();
    }
  });

  it("stops on two rows that become one name, naming both, and migrates nothing", () => {
    const old = oldDatabase([...OLD_USERS, [4, "SARA"]]);
    try {
      assert.throws(() => openSqliteStore({ path: old.path }), /ｓａｒａ \(2\) and SARA \(4\)/);
      const db = new Database(old.path);
      const columns = db.prepare("SELECT name FROM pragma_table_info('users')").pluck().all();
      db.close();
      assert.ok(!columns.includes("username_key"), "the failed migration was rolled back");
    } finally {
      old.cleanup();
    }
  });
});

describe("canonical usernames migration: postgres", { skip: skipPostgres }, () => {
  const before = olderThanCanonical(PG_MIGRATIONS);

  async function oldSchema(users: [number, string][]) {
    const scratch = scratchSchema();
    const schema = new URL(scratch.url).searchParams.get("schema") as string;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
      await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text)");
      for (const migration of before) {
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
      }
      for (const [id, username] of users)
        await client.query("INSERT INTO users (id, username, role) VALUES ($1, $2, 'agent')", [
          id,
          username,
        ]);
    } finally {
      await client.end();
    }
    return scratch;
  }

  it("gives existing rows their canonical form", async () => {
    const scratch = await oldSchema(OLD_USERS);
    try {
      const store = await openPostgresStore({ url: scratch.url });
      try {
        await checkMigrated(store);
      } finally {
        await store.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it("stops on two rows that become one name, naming both", async () => {
    const scratch = await oldSchema([...OLD_USERS, [4, "SARA"]]);
    try {
      await assert.rejects(
        openPostgresStore({ url: scratch.url }),
        /ｓａｒａ \(2\) and SARA \(4\)/,
      );
    } finally {
      await scratch.drop();
    }
  });
});
