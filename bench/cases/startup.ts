/**
 * Start-up on the embedded store. A SQLite file with 1,000 users (and a ticket) is
 * prepared first; then `node bin/chat-presence.js serve --port 0 --db <file>` is started several
 * times, each timed from spawn to the first 200 from GET /healthz and from GetAll with the
 * ticket. Uses the compiled CLI (dist/, from `npm run build`) when it is newer than src/; else an
 * esbuild bundle of src/cli/main.ts, and says which. Target: the median under 1 s.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Suite } from "../lib/harness.ts";
import { percentile } from "../lib/load.ts";
import { readRssBytes } from "../lib/proc.ts";
import { bundle, REPO_DIR, type ServerInfo } from "../lib/processes.ts";

export const STARTUP_CASES = {
  healthz: "Start-up to /healthz (1,000 users)",
  getAll: "Start-up to GetAll (1,000 users)",
};

interface AppInfo extends ServerInfo {
  ticket: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The CLI to start: the compiled one when it is current, else a bundle of the sources. */
async function cli(): Promise<{ script: string; what: string }> {
  const compiled = join(REPO_DIR, "dist", "cli", "main.js");
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestMtime(join(REPO_DIR, "src")))
    return { script: join(REPO_DIR, "bin", "chat-presence.js"), what: "bin/chat-presence.js" };
  return {
    script: await bundle("../src/cli/main.ts"),
    what: "an esbuild bundle of src/cli/main.ts (dist/ is missing or older than src/; npm run build)",
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks until the answer is 200; resolves with the time of that answer. */
async function firstOk(url: string, headers: Record<string, string>, started: number) {
  for (;;) {
    const response = await fetch(url, { headers }).catch(() => null);
    if (response) await response.arrayBuffer();
    if (response?.status === 200) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`${url}: no 200 within 30 s`);
    await sleep(2);
  }
}

async function startOnce(script: string, db: string, ticket: string) {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [script, "serve", "--port", "0", "--host", "127.0.0.1", "--db", db, "--log-level", "warn"],
    { cwd: REPO_DIR, stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${output}`)));
    });
    const [healthz, getAll] = await Promise.all([
      firstOk(`${url}/healthz`, {}, started),
      firstOk(
        `${url}/api/v1/Presence/GetAll`,
        { authorization: `SoTicket ${ticket}`, accept: "application/json" },
        started,
      ),
    ]);
    return { healthz, getAll, rss: readRssBytes(child.pid as number) };
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  }
}

export const startupSuite: Suite = {
  name: "startup",
  async run(ctx) {
    if (!Object.values(STARTUP_CASES).some((name) => ctx.wants(name))) return;
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-startup-"));
    try {
      const db = join(dir, "startup.db");
      // The file is prepared by the bench's app server, which leaves it behind with a ticket in it.
      const prepare = await ctx.spawn<AppInfo>("prepare db", "servers/app.ts", {
        args: ["--users", "1000", "--topics", "20", "--db", db, "--log-level", "silent"],
      });
      const { ticket } = prepare.info;
      await prepare.stop();
      const { script, what } = await cli();
      const starts = ctx.options.quick ? 1 : 5;
      const runs = [];
      for (let i = 0; i < starts; i++) runs.push(await startOnce(script, db, ticket));
      const rss = Math.max(...runs.map((r) => r.rss ?? 0)) || null;
      for (const [name, times] of [
        [STARTUP_CASES.healthz, runs.map((r) => r.healthz)],
        [STARTUP_CASES.getAll, runs.map((r) => r.getAll)],
      ] as const) {
        const sorted = [...times].sort((a, b) => a - b);
        ctx.record({
          name,
          server: "serve",
          reqPerSec: null,
          p50: percentile(sorted, 0.5),
          p99: sorted[sorted.length - 1],
          cpuMicros: null,
          rssBytes: rss,
          target: { maxP50Ms: 1000 },
          detail: `${starts} start${starts === 1 ? "" : "s"} from spawn (p50 the median, p99 the slowest)`,
        });
      }
      ctx.note(
        `start-up: ${what}, --db with 1,000 users, --log-level warn; RSS at the first answers`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
