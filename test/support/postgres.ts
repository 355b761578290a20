/**
 * PostgreSQL for tests: each run gets its own schema, dropped afterwards. When no server is
 * reachable the PostgreSQL suites are skipped and say so loudly: never a silent pass.
 */
import { randomBytes } from "node:crypto";
import { after } from "node:test";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import type { Store } from "../../src/store/store.ts";

export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let reachable: Promise<string | null> | undefined;

/** null when PostgreSQL answers; otherwise the reason it was not reachable. */
export function postgresUnavailable(): Promise<string | null> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A fresh schema name and its store URL; `drop()` removes the schema and everything in it. */
export function scratchSchema(): { url: string; drop(): Promise<void> } {
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

export async function announceSkip(suite: string): Promise<boolean> {
  const reason = await postgresUnavailable();
  if (reason)
    console.log(
      `\n*** PostgreSQL suite "${suite}" SKIPPED: no PostgreSQL at ${PG_URL} (${reason}) ***\n`,
    );
  return reason !== null;
}

/**
 * Two nodes' stores on one scratch schema, for the tests of one describe block (the schema is
 * dropped after them): each call opens both, runs `race` on them and closes both, come what may.
 */
export function twoNodesOnOneSchema() {
  const shared = scratchSchema();
  after(() => shared.drop());
  return async (race: (nodes: Store[]) => Promise<void>): Promise<void> => {
    const nodes = [
      await openPostgresStore({ url: shared.url }),
      await openPostgresStore({ url: shared.url }),
    ];
    try {
      await race(nodes);
    } finally {
      for (const node of nodes) await node.close();
    }
  };
}

/** Where a suite's test servers keep their data: a SQLite file each, or a scratch schema each. */
export interface ServerStore {
  store: "SQLite" | "PostgreSQL";
  skip: boolean;
  open(): { db: string | undefined; drop(): Promise<void> };
}

/** The two stores a server suite runs on; PostgreSQL skipped (and said so) when it is down. */
export async function serverStores(suite: string): Promise<ServerStore[]> {
  const skipPostgres = await announceSkip(suite);
  return [
    { store: "SQLite", skip: false, open: () => ({ db: undefined, drop: async () => undefined }) },
    {
      store: "PostgreSQL",
      skip: skipPostgres,
      open: () => {
        const schema = scratchSchema();
        return { db: schema.url, drop: schema.drop };
      },
    },
  ];
}
