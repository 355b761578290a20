/**
 * The application under test: `startServer` over a fresh SQLite file in a temp directory (or the
 * store at --db, such as a PostgreSQL schema), seeded with the bench directory, with a ticket
 * issued for the admin. Sends { url, ticket, users, importMs }.
 * Args: --users N --topics N --log-level LEVEL ("silent" turns the logger off)
 *       --db URL (another node on a store already seeded) --skip-seed
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../../src/cli/server.ts";
import { BENCH_ADMIN_ID, benchSeed } from "../lib/seed.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    topics: { type: "string", default: "20" },
    "log-level": { type: "string", default: "warn" },
    db: { type: "string" },
    "skip-seed": { type: "boolean", default: false },
    "presence-ttl": { type: "string" },
  },
});

const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-"));
const level = values["log-level"];
const server = await startServer({
  port: 0,
  host: "127.0.0.1",
  db: values.db ?? join(dir, "bench.db"),
  logger: level === "silent" ? false : { level },
  presenceTtl: values["presence-ttl"] ? Number(values["presence-ttl"]) : undefined,
});
const users = Number(values.users);
/** Times the import of the bench directory; the seed is built outside the timing and not kept. */
async function importBenchSeed(): Promise<number> {
  const seed = benchSeed(users, Number(values.topics));
  const started = performance.now();
  await server.services.directory.importSeed(seed);
  return performance.now() - started;
}
const importMs = values["skip-seed"] ? 0 : await importBenchSeed();
const ticket = await server.services.auth.issue("ticket", BENCH_ADMIN_ID);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0); // a clean exit is what makes --cpu-prof write its profile
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
process.send?.({ url: server.url, ticket, users, importMs });
