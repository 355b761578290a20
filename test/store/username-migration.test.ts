/**
 * The canonical-username migration on a store written before it: existing rows get their
 * canonical form, lookups find them by any spelling, a variant cannot be added, and rows that
 * would become one name stop the migration with both named (nothing half-migrated). One suite,
 * run on every backend; only writing the older schema is each backend's own.
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
import { postgresSkip } from "../support/backends.ts";
import { PG_URL, scratchSchema } from "../support/postgres.ts";
import { coded } from "../support/store-contract.ts";

type OldUsers = [number, string][];

/** A store as an older release wrote it, opened (and so migrated) by today's code. */
interface OldStore {
  open(): Promise<Store>;
  /** The users table's columns, read behind the store's back. */
  userColumns(): Promise<string[]>;
  cleanup(): Promise<void>;
}

interface LegacyBackend {
  name: string;
  skip?: boolean;
  /** Writes the migrations before the canonical-username one, then these users. */
  writeOld(users: OldUsers): Promise<OldStore>;
}

/** Users as an older release stored them (no canonical form). */
const OLD_USERS: OldUsers = [
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

const sqliteFile: LegacyBackend = {
  name: "sqlite (file)",
  async writeOld(users) {
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-migration-"));
    const path = join(dir, "old.db");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)");
    for (const migration of olderThanCanonical(SQLITE_MIGRATIONS)) {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(
        migration.version,
        migration.name,
      );
    }
    const insert = db.prepare("INSERT INTO users (id, username, role) VALUES (?, ?, 'agent')");
    for (const [id, username] of users) insert.run(id, username);
    db.close();
    return {
      open: async () => openSqliteStore({ path }),
      async userColumns() {
        const reader = new Database(path, { readonly: true });
        try {
          return reader
            .prepare("SELECT name FROM pragma_table_info('users')")
            .pluck()
            .all() as string[];
        } finally {
          reader.close();
        }
      },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const postgresSchema: LegacyBackend = {
  name: "postgres",
  skip: postgresSkip,
  async writeOld(users) {
    const scratch = scratchSchema();
    const schema = new URL(scratch.url).searchParams.get("schema") as string;
    const query = async <T extends pg.QueryResultRow>(
      work: (client: pg.Client) => Promise<T[]>,
    ): Promise<T[]> => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`SET search_path = "${schema}"`);
        return await work(client);
      } finally {
        await client.end();
      }
    };
    await query(async (client) => {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
      await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text)");
      for (const migration of olderThanCanonical(PG_MIGRATIONS)) {
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
      return [];
    });
    return {
      open: () => openPostgresStore({ url: scratch.url }),
      async userColumns() {
        const rows = await query(
          async (client) =>
            (
              await client.query<{ column_name: string }>(
                `SELECT column_name FROM information_schema.columns
                 WHERE table_schema = $1 AND table_name = 'users'`,
                [schema],
              )
            ).rows,
        );
        return rows.map((r) => r.column_name);
      },
      cleanup: scratch.drop,
    };
  },
};

const LEGACY_BACKENDS: readonly LegacyBackend[] = [sqliteFile, postgresSchema];

async function checkMigrated(store: Store): Promise<void> {
  assert.equal((await store.getUserByUsername("TIM"))?.id, 1);
  assert.equal((await store.getUserByUsername("sara"))?.id, 2);
  assert.equal((await store.getUserByUsername("STRASSE"))?.id, 3);
  assert.equal((await store.getUser(2))?.username, "ｓａｒａ", "the name itself is kept");
  await assert.rejects(
    store.createUser({ username: "SARA", displayName: "x", role: "agent", passwordHash: null }),
    coded("PRES_ERR_USERNAME_TAKEN"),
  );
}

function usernameMigrationSuite(backend: LegacyBackend): void {
  describe(`canonical usernames migration: ${backend.name}`, { skip: backend.skip }, () => {
    it("gives existing rows their canonical form", async () => {
      const old = await backend.writeOld(OLD_USERS);
      try {
        const store = await old.open();
        try {
          await checkMigrated(store);
        } finally {
          await store.close();
        }
      } finally {
        await old.cleanup();
      }
    });

    it("stops on two rows that become one name, naming both, and migrates nothing", async () => {
      const old = await backend.writeOld([...OLD_USERS, [4, "SARA"]]);
      try {
        await assert.rejects(old.open(), /ｓａｒａ \(2\) and SARA \(4\)/);
        const columns = await old.userColumns();
        assert.ok(columns.includes("username"));
        assert.ok(!columns.includes("username_key"), "the failed migration was rolled back");
      } finally {
        await old.cleanup();
      }
    });
  });
}

for (const backend of LEGACY_BACKENDS) usernameMigrationSuite(backend);
