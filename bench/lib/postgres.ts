/**
 * PostgreSQL for the bench: a scratch schema per run, dropped afterwards. The database is
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the tests' default.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const BENCH_PG_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

/** null when PostgreSQL answers; otherwise why not. */
export async function postgresUnavailable(url = BENCH_PG_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name and its store URL; `drop()` removes the schema and everything in it. */
export function scratchSchema(url = BENCH_PG_URL): {
  url: string;
  schema: string;
  drop(): Promise<void>;
} {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const withSchema = new URL(url);
  withSchema.searchParams.set("schema", schema);
  return {
    url: withSchema.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
