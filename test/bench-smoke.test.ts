/**
 * `npm run bench -- --quick` end to end: every case prints a row and none had errors. No speed
 * is asserted (the machine may be busy). A new bench case adds its name to CASES. Without a
 * reachable PostgreSQL the bench skips its PostgreSQL cases and says so; so does this test.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";

const CASES = [
  "bare GetAll",
  "GetAll (1,000 users)",
  "bare GetAll, 32 connections",
  "GetAll (1,000 users), 32 connections",
  "bare Agents $select",
  "Agents GetChatPresence $select=UserId,Present",
  "bare GetAll XML",
  "GetAll XML (1,000 users)",
  "bare SaveAll",
  "SaveAll (10 entries)",
  "soap package GetChatPresence",
  "SOAP GetChatPresence",
  "REST GetAll",
  "SOAP GetChatPresence (vs REST)",
  "soap package SaveChatPresence",
  "SOAP SaveChatPresence",
  "REST SaveAll",
  "SOAP SaveChatPresence (vs REST)",
  "Stream fan-out (1,000 subscribers, 200 changes/s)",
  "Import 100,000 users",
  "GetAll (100,000 users)",
  "SaveAll 1,000 entries (100,000 users)",
  "GetAll after a change (100,000 users)",
  "Start-up to /healthz (1,000 users)",
  "Start-up to GetAll (1,000 users)",
  "SaveAll 1,000 users (no webhooks)",
  "SaveAll 1,000 users (100 webhooks)",
  "Routing queued → offer (SQLite)",
  "Routing queued → assignment (SQLite)",
  "Routing burst: 1,000 sessions, 100 agents × 5 (SQLite)",
];

const POSTGRES_CASES = [
  "PostgreSQL GetAll (1 node)",
  "PostgreSQL GetAll (2 nodes)",
  "pgbench -N (same clients), in turns with SaveAll",
  "PostgreSQL SaveAll 10 entries (1 node)",
  "PostgreSQL SaveAll 10 entries (2 nodes)",
  "PostgreSQL SaveAll 10 entries (1 node, 64 connections)",
  "PostgreSQL stream, save on A → event on B",
  "PostgreSQL heartbeats, 10,000 agents every 30 s",
  "Routing queued on A → offer seen on B (PostgreSQL)",
  "Routing queued on A → assignment seen on B (PostgreSQL)",
  "Routing burst: 1,000 sessions, 100 agents × 5 (PostgreSQL, 2 nodes)",
];

function runBench(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = join(import.meta.dirname, "..");
  const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

it("npm run bench -- --quick prints a clean row for every case", { timeout: 180_000 }, async () => {
  const { code, stdout, stderr } = await runBench([
    "--quick",
    "--duration",
    "0.5",
    "--warmup",
    "0.2",
  ]);
  assert.equal(code, 0, `bench exited ${code}\n${stdout}\n${stderr}`);
  const rows = stdout.split("\n").filter((line) => line.startsWith("| "));
  const skipped = /PostgreSQL cases SKIPPED: .*/.exec(stdout);
  if (skipped) console.log(`\n*** ${skipped[0]} (so this test skipped them too) ***\n`);
  for (const name of skipped ? CASES : [...CASES, ...POSTGRES_CASES]) {
    const row = rows.find((line) => line.startsWith(`| ${name} `));
    assert.ok(row, `no row for ${name}:\n${stdout}`);
    assert.doesNotMatch(row, /INVALID/, `${name} had errors:\n${stdout}`);
    // Every row has a measured p50; load rows also a rate (rows for start-up or import show "-").
    // Cross-node stream latency counts from the save's 204 on node A, and node B's event can beat
    // that 204 to the client, so its p50 may be below zero.
    assert.match(
      row,
      /^\| [^|]+\| +([\d,]+|-) \| +-?[\d.]+ m?s \|/,
      `${name} has no numbers:\n${row}`,
    );
  }
  assert.doesNotMatch(stdout, /failed/, stdout);
});
