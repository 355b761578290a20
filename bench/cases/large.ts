/**
 * Large size: 100,000 users in 20 topics. One process imports them (`password: null`,
 * through services.directory.importSeed; the import is timed) into a SQLite file and stops; the
 * server under test then starts on that file, as after a restart, so its RSS is the server's and
 * not the import's garbage. Cases: GetAll (one client asking in a loop, so p50 is the time one
 * GetAll takes, not a queue), a SaveAll of 1,000 entries (each save really changing presence),
 * and GetAll right after a change (when the cached answer is stale and must be rendered again).
 * Targets: GetAll p50 under 50 ms, SaveAll p50 under 20 ms, server RSS under 400 MB, the import
 * under 10 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchContext, Suite } from "../lib/harness.ts";
import { percentile } from "../lib/load.ts";
import { readRssBytes, watchProcess } from "../lib/proc.ts";
import type { ServerInfo } from "../lib/processes.ts";
import { SaveSequence } from "./presence.ts";

const USERS = 100_000;
const GET_ALL = "/api/v1/Presence/GetAll";
const SAVE_ALL = "/api/v1/Presence/SaveAll";
const MB = 1024 * 1024;
const MAX_RSS = 400 * MB;

export const LARGE_CASES = {
  import: "Import 100,000 users",
  getAll: "GetAll (100,000 users)",
  saveAll: "SaveAll 1,000 entries (100,000 users)",
  getAfterChange: "GetAll after a change (100,000 users)",
};

interface AppInfo extends ServerInfo {
  ticket: string;
  users: number;
  importMs: number;
}

/** A GET timed from sending to its last byte; the body is counted, not kept (as autocannon does). */
function timedGet(url: string, headers: Record<string, string>) {
  const started = performance.now();
  return new Promise<{ status: number; bytes: number; ms: number; etag?: string }>(
    (resolve, reject) => {
      get(url, { headers }, (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            bytes,
            ms: performance.now() - started,
            etag: response.headers.etag,
          }),
        );
      }).on("error", reject);
    },
  );
}

export const largeSuite: Suite = {
  name: "large",
  async run(ctx) {
    if (!Object.values(LARGE_CASES).some((name) => ctx.wants(name))) return;
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-bench-large-"));
    try {
      await run(ctx, join(dir, "large.db"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function run(ctx: BenchContext, db: string) {
  const args = ["--users", String(USERS), "--topics", "20", "--db", db];
  const importer = await ctx.spawn<AppInfo>("import 100k", "servers/app.ts", {
    args: [...args, "--log-level", "silent"],
    startTimeoutMs: 180_000,
  });
  const importRss = readRssBytes(importer.pid);
  await importer.stop();
  ctx.record({
    name: LARGE_CASES.import,
    server: importer.label,
    reqPerSec: null,
    p50: importer.info.importMs,
    p99: importer.info.importMs,
    cpuMicros: null,
    rssBytes: importRss,
    target: { checks: [{ label: "< 10 s", pass: importer.info.importMs < 10_000 }] },
    detail:
      "importSeed of 100,000 users (password null) in 20 topics into a running server, one run",
  });
  const app = await ctx.spawn<AppInfo>("app 100k", "servers/app.ts", {
    args: [...args, "--skip-seed", "--log-level", ctx.options.logLevel],
    profile: true,
    startTimeoutMs: 180_000,
  });
  const auth = { authorization: `SoTicket ${app.info.ticket}`, accept: "application/json" };
  const one = { connections: 1, pipelining: 1 };
  ctx.note(
    "large: 100,000 users; GetAll and SaveAll of 1,000 entries by one client in a loop (1 connection), so p50 is one request's time",
  );
  await ctx.measure({
    name: LARGE_CASES.getAll,
    server: app,
    path: GET_ALL,
    headers: auth,
    settings: one,
    target: { maxP50Ms: 50, maxRssBytes: MAX_RSS },
  });
  const saves = new SaveSequence(USERS, 1000);
  const post = { ...auth, "content-type": "application/json; charset=utf-8" };
  await ctx.measure({
    name: LARGE_CASES.saveAll,
    server: app,
    method: "POST",
    path: SAVE_ALL,
    headers: post,
    nextBody: () => saves.body(),
    beforeRun: async () => {
      await saves.sync(app.info.url, auth);
    },
    settings: one,
    target: { maxP50Ms: 20, maxRssBytes: MAX_RSS },
  });

  if (ctx.wants(LARGE_CASES.getAfterChange)) {
    // Each round changes one user, then times the GetAll that has to render the new version.
    const rounds = ctx.options.quick ? 5 : 40;
    const present = new Map<number, boolean>();
    const before = await fetch(app.info.url + GET_ALL, { headers: auth });
    for (const p of (await before.json()) as { UserId: number; Present: boolean }[])
      present.set(p.UserId, p.Present);
    const latencies: number[] = [];
    let lastEtag: string | undefined;
    const watch = watchProcess(app.pid);
    for (let i = 0; i < rounds + 2; i++) {
      const userId = 2 + i;
      present.set(userId, !present.get(userId));
      const saved = await fetch(app.info.url + SAVE_ALL, {
        method: "POST",
        headers: post,
        body: JSON.stringify([{ UserId: userId, Present: present.get(userId) }]),
      });
      if (saved.status !== 204) throw new Error(`SaveAll answered ${saved.status}`);
      const { status, bytes, ms, etag } = await timedGet(app.info.url + GET_ALL, auth);
      if (status !== 200 || bytes < USERS * 50)
        throw new Error(`GetAll answered ${status}, ${bytes} bytes`);
      if (etag === lastEtag) throw new Error("GetAll after a change answered the same ETag");
      lastEtag = etag;
      if (i >= 2) latencies.push(ms); // the first two warm up
    }
    const used = watch.stop();
    latencies.sort((x, y) => x - y);
    ctx.record({
      name: LARGE_CASES.getAfterChange,
      server: app.label,
      reqPerSec: null,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      cpuMicros: null,
      rssBytes: used.rssBytes,
      target: { maxP50Ms: 50, maxRssBytes: MAX_RSS },
      detail: `${rounds} rounds of SaveAll (1 entry) then GetAll; the GetAll timed, body read whole by a plain http client`,
    });
  }
}
