/**
 * `npm run bench -- --quick` end to end: every case prints a row and none had errors. No speed
 * is asserted (the machine may be busy). A new bench case adds its name to CASES.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";

const CASES = [
  "bare GetAll",
  "GetAll (1,000 users)",
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

it("npm run bench -- --quick prints a clean row for every case", { timeout: 90_000 }, async () => {
  const { code, stdout, stderr } = await runBench([
    "--quick",
    "--duration",
    "0.5",
    "--warmup",
    "0.2",
  ]);
  assert.equal(code, 0, `bench exited ${code}\n${stdout}\n${stderr}`);
  const rows = stdout.split("\n").filter((line) => line.startsWith("| "));
  for (const name of CASES) {
    const row = rows.find((line) => line.startsWith(`| ${name} `));
    assert.ok(row, `no row for ${name}:\n${stdout}`);
    assert.doesNotMatch(row, /INVALID/, `${name} had errors:\n${stdout}`);
    assert.match(row, /\| +[\d,]+ \|/, `${name} has no req/s:\n${row}`);
  }
  assert.doesNotMatch(stdout, /failed/, stdout);
});
