/**
 * The floor for a durable SaveAll: bare Fastify (no logger, hooks, auth or validation) that
 * parses the JSON like the bare route, then does the least any durable presence save must do in
 * SQLite (WAL, synchronous NORMAL, as the app): set Present of every entry and append one history
 * row per entry, group-committed per event-loop turn, answering 204 after the commit.
 * No read of the previous state, no rules, no snapshot, no events: a bound, not a competitor.
 *   --users N  users 1..N (default 1000)
 * Sends { url }.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import Fastify from "fastify";

const { values } = parseArgs({ options: { users: { type: "string", default: "1000" } } });
const dir = mkdtempSync(join(tmpdir(), "chat-presence-floor-"));
const db = new Database(join(dir, "floor.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`
  CREATE TABLE users (id INTEGER PRIMARY KEY, present INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL,
    present INTEGER NOT NULL, at INTEGER NOT NULL);
  WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < ${Number(values.users)})
  INSERT INTO users (id) SELECT id FROM n;
`);
const setPresent = db.prepare(
  "UPDATE users SET present = j.value ->> 1 FROM json_each(?) j WHERE users.id = j.value ->> 0",
);
const log = db.prepare(
  "INSERT INTO history (user_id, present, at) SELECT j.value ->> 0, j.value ->> 1, ? FROM json_each(?) j",
);
const commit = db.transaction((entries: [number, number][]) => {
  const text = JSON.stringify(entries);
  setPresent.run(text);
  log.run(Date.now(), text);
});

let waiting: { entries: [number, number][]; done: () => void }[] = [];
function commitWaiting() {
  const batch = waiting;
  waiting = [];
  commit.immediate(batch.flatMap((job) => job.entries));
  for (const job of batch) job.done();
}

const app = Fastify({ logger: false });
app.post("/api/v1/Presence/SaveAll", (request, reply) => {
  if (!Array.isArray(request.body)) return reply.code(400).send();
  const entries = request.body.map((e: { UserId: number; Present: boolean }) => [
    e.UserId,
    e.Present ? 1 : 0,
  ]) as [number, number][];
  waiting.push({ entries, done: () => reply.code(204).send() });
  if (waiting.length === 1) setImmediate(commitWaiting);
  return reply;
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });

async function shutdown() {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
process.send?.({ url });
