/** The PostgreSQL pool: one schema per deployment (or per test run), bigint read as number. */
import pg from "pg";
import { PresenceError } from "../../domain/errors.ts";

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
  const pool = new GuardedPool({
    connectionString: url.toString(),
    max: options.poolSize ?? 10,
    types,
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return { pool, schema };
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

/** Lost or refused connections, and a server shutting down (SQLSTATE class 08, 57P0x). */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (code && (CONNECTION_CODES.has(code) || code.startsWith("08") || /^57P0[123]$/.test(code)))
    return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    message ?? "",
  );
}

/** A client-facing 503 for a database that cannot be reached; other errors pass through. */
export function translate(error: unknown): unknown {
  return isConnectionError(error)
    ? new PresenceError("PRES_ERR_UNAVAILABLE", {
        detail: "the database cannot be reached; try again shortly",
      })
    : error;
}

/** A pool whose connection failures surface as PRES_ERR_UNAVAILABLE (503) rather than a 500. */
class GuardedPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors pg's overloaded signature
  override query(...args: any[]): any {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return guarded((super.query as any)(...args));
  }

  // biome-ignore lint/suspicious/noExplicitAny: mirrors pg's overloaded signature
  override connect(...args: any[]): any {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return guarded((super.connect as any)(...args));
  }
}

/** A promise pg returned, its connection failures translated; a callback call's result as is. */
function guarded(result: unknown): unknown {
  return result instanceof Promise
    ? result.catch((error: unknown) => {
        throw translate(error);
      })
    : result;
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
    throw translate(error);
  } finally {
    client.release();
  }
}

/**
 * A transaction that writes to a log read by transaction id (history.ts): it takes its id
 * before any row does, so readers see it in progress until it ends and skip none of its rows.
 */
export function logTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return transaction(pool, async (client) => {
    await client.query("SELECT pg_current_xact_id()");
    return work(client);
  });
}

/**
 * Calls `attempt` after `delayMs`, and again after each failure (reported to `onError`) for as
 * long as `wanted()` holds: how a LISTEN connection that dropped comes back.
 */
export function retryUntilDone(
  attempt: () => Promise<void>,
  delayMs: number,
  wanted: () => boolean,
  onError?: (error: unknown) => void,
): void {
  setTimeout(async () => {
    try {
      await attempt();
    } catch (error) {
      onError?.(error);
      if (wanted()) retryUntilDone(attempt, delayMs, wanted, onError);
    }
  }, delayMs).unref();
}
