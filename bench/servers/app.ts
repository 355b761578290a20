/**
 * The application under test: `startServer` over a fresh SQLite file in a temp directory (or the
 * store at --db, such as a PostgreSQL schema), seeded with the bench directory, with a ticket
 * issued for the admin. Sends { url, ticket, users, importMs }.
 * Args: --users N --topics N --log-level LEVEL ("silent" turns the logger off)
 *       --db URL (another node on a store already seeded) --skip-seed
 *       --webhooks N (register N webhooks for every change; this node then runs no delivery
 *       worker, so what is measured is the save's own cost)
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
    webhooks: { type: "string" },
    "presence-ttl": { type: "string" },
  },
});
const webhooks = values.webhooks === undefined ? null : Number(values.webhooks);

const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-"));
const level = values["log-level"];
const server = await startServer({
  port: 0,
  host: "127.0.0.1",
  db: values.db ?? join(dir, "bench.db"),
  logger: level === "silent" ? false : { level },
  // The load processes hold every subscriber under the one bench ticket.
  streamsPerUser: 1_000_000,
  ...(webhooks === null ? {} : { webhookWorker: false, webhookLimit: Math.max(webhooks, 1) }),
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
for (let i = 0; i < (webhooks ?? 0); i++) {
  await server.store.createWebhook(
    {
      url: `https://receiver-${i}.example/hook`,
      secret: "bench-webhook-secret-0001",
      topicId: null,
      createdBy: BENCH_ADMIN_ID,
    },
    Date.now(),
    webhooks ?? 0,
  );
}

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
