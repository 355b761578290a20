/** The PostgreSQL pool: one schema per deployment (or per test run), bigint read as number. */
import pg from "pg";

export interface PostgresOptions {
  /** postgres://… ; an extra `schema=` query parameter picks the schema (default public). */
  url: string;
  poolSize?: number;
}

export interface Connection {
  pool: pg.Pool;
  schema: string;
}

const INT8 = 20;

/** Millisecond timestamps and history ids are bigint; they fit a double, so read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function connect(options: PostgresOptions): Connection {
  const url = new URL(options.url);
  const schema = url.searchParams.get("schema") ?? "public";
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  url.searchParams.delete("schema");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.poolSize ?? 10,
    types,
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return { pool, schema };
}

/** Runs `work` in a transaction on one client, rolling back on any error. */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
