/**
 * The bench harness. A suite (bench/cases/*.ts, listed in bench/run.ts) is
 *
 *   export const mySuite: Suite = { name: "my-suite", async run(ctx) { … } };
 *
 * and inside `run` it:
 *   1. starts its servers with `ctx.spawn(label, "servers/<entry>.ts", { args })` — child
 *      processes stopped for it when the suite ends (see lib/processes.ts for the entry protocol);
 *   2. measures cases with `ctx.measure(caseA, caseB, …)`, where a case is `{ name, server,
 *      path, method, headers, body | nextBody, beforeRun, baseline, target }`: each is warmed
 *      up, then the cases take turns in slices (so machine noise hits them alike) under the run's
 *      connections / pipelining / duration; the server's RSS is sampled; one row each is recorded;
 *   3. compares with a baseline by naming another case of the same run in `baseline` (measure
 *      the two in one `ctx.measure` call), and sets a target: `{ minRate }` (req/s),
 *      `{ minRatio }` (req/s relative to the baseline), `{ maxP50Ms, maxP99Ms }` (latency of
 *      2xx answers), `{ maxRssBytes }` (peak server RSS) and `{ checks }` (conditions the suite
 *      judged itself, such as "0 dropped"), in any combination; every one must hold to PASS.
 * A case's `server` may be a list of processes (nodes of one cluster): the load is split across
 * them, their CPU is summed and the largest RSS is reported.
 * Measurements that are not request load (stream latency, start-up time, import time) are made
 * by the suite itself and recorded with `ctx.record(row)`; guard costly ones with
 * `ctx.wants(name)`, which honours --case. `detail` is a short text shown in the last column.
 * Suites should use `ctx.options.quick` only to shrink work, never to skip a case: the smoke test
 * expects a row for every case in quick mode too. A suite that cannot run at all here (no
 * PostgreSQL) says so with `ctx.note("… SKIPPED: why")`.
 */
import { type LoadSettings, type LoadSpec, type Measurement, runInterleaved } from "./load.ts";
import {
  type ServerInfo,
  type ServerProcess,
  type SpawnOptions,
  spawnServer,
} from "./processes.ts";

export interface BenchOptions extends LoadSettings {
  quick: boolean;
  /** Log level for the application server (bare baselines never log). */
  logLevel: string;
  /** When set, servers spawned with `profile: true` write .cpuprofile files here. */
  profileDir: string | null;
  /** When set, only cases whose name contains this are measured (for profiling one case). */
  cases: string | null;
}

export interface Target {
  /** Successful requests per second at least this. */
  minRate?: number;
  /** At least this fraction of the baseline's req/s. */
  minRatio?: number;
  /** Median latency at most this, ms. */
  maxP50Ms?: number;
  /** 99th percentile latency at most this, ms. */
  maxP99Ms?: number;
  /** Peak server RSS at most this, bytes. */
  maxRssBytes?: number;
  /** Conditions the suite checked itself, shown as `label` in the target column. */
  checks?: { label: string; pass: boolean }[];
}

export interface CaseSpec extends LoadSpec {
  name: string;
  /** The server, or several nodes sharing the load (connections split between them). */
  server: ServerProcess | ServerProcess[];
  /** The `name` of another case of this run to compare with. */
  baseline?: string;
  target?: Target;
  /** Per-case overrides of the run's settings (connections, pipelining). */
  settings?: Partial<Pick<LoadSettings, "connections" | "pipelining">>;
}

export interface Row extends Omit<Measurement, "reqPerSec"> {
  suite: string;
  name: string;
  server: string;
  /** null for rows that are not request load (start-up time, import time). */
  reqPerSec: number | null;
  baseline?: string;
  target?: Target;
  /** A short explanation shown in the table's last column. */
  detail?: string;
}

/** A row a suite measured itself; the harness adds the suite's name. */
export type RecordedRow = Omit<Row, "suite" | "non2xx" | "errors" | "statusCodes"> &
  Partial<Pick<Row, "non2xx" | "errors" | "statusCodes">>;

export interface BenchContext {
  options: BenchOptions;
  spawn<I extends ServerInfo>(
    label: string,
    entry: string,
    options?: SpawnOptions & { profile?: boolean },
  ): Promise<ServerProcess<I>>;
  /** Measures cases, taking turns between them when given several (a case and its baseline). */
  measure(...specs: CaseSpec[]): Promise<Row[]>;
  /** False when --case excludes this case name (skip measuring it). */
  wants(name: string): boolean;
  /** Adds a row the suite measured itself (latency of a stream, time to start). */
  record(row: RecordedRow): Row;
  /** Progress line on stderr. */
  progress(text: string): void;
  /** A line printed under the table (what the numbers depend on, such as the log level). */
  note(text: string): void;
}

export interface Suite {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface BenchReport {
  rows: Row[];
  notes: string[];
  failures: { suite: string; error: Error }[];
}

export async function runSuites(
  suites: Suite[],
  options: BenchOptions,
  progress: (line: string) => void = () => {},
): Promise<BenchReport> {
  const report: BenchReport = { rows: [], notes: [], failures: [] };
  for (const suite of suites) {
    const servers: ServerProcess[] = [];
    const ctx: BenchContext = {
      options,
      async spawn<I extends ServerInfo>(
        label: string,
        entry: string,
        spawnOptions: SpawnOptions & { profile?: boolean } = {},
      ) {
        const { profile, ...rest } = spawnOptions;
        const nodeArgs = [...(rest.nodeArgs ?? [])];
        if (profile && options.profileDir)
          nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`);
        progress(`[${suite.name}] starting ${label}`);
        const server = await spawnServer<I>(label, entry, { ...rest, nodeArgs });
        servers.push(server);
        return server;
      },
      async measure(...all) {
        const specs = all.filter((spec) => !options.cases || spec.name.includes(options.cases));
        if (specs.length === 0) return [];
        progress(`[${suite.name}] ${specs.map((s) => s.name).join(" / ")}…`);
        const measurements = await runInterleaved(
          specs.map(({ name, server, baseline, target, settings, ...load }) => {
            const nodes = Array.isArray(server) ? server : [server];
            return {
              urls: nodes.map((n) => n.info.url),
              pids: nodes.map((n) => n.pid),
              spec: load,
              settings: { ...options, ...settings },
            };
          }),
        );
        return specs.map((spec, i) => {
          const nodes = Array.isArray(spec.server) ? spec.server : [spec.server];
          const row: Row = {
            suite: suite.name,
            name: spec.name,
            server: nodes.map((n) => n.label).join(" + "),
            baseline: spec.baseline,
            target: spec.target,
            ...measurements[i],
          };
          report.rows.push(row);
          progress(
            `[${suite.name}] ${row.name}: ${Math.round(row.reqPerSec ?? 0)} req/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms${row.non2xx || row.errors ? `, ${row.statusCodes} ${row.errors} errors` : ""}`,
          );
          return row;
        });
      },
      wants(name) {
        return !options.cases || name.includes(options.cases);
      },
      record(recorded) {
        const row: Row = { non2xx: 0, errors: 0, statusCodes: "", ...recorded, suite: suite.name };
        report.rows.push(row);
        progress(
          `[${suite.name}] ${row.name}: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms${row.detail ? `; ${row.detail}` : ""}`,
        );
        return row;
      },
      progress(text) {
        progress(`[${suite.name}] ${text}`);
      },
      note(text) {
        report.notes.push(text);
      },
    };
    try {
      await suite.run(ctx);
    } catch (error) {
      report.failures.push({ suite: suite.name, error: error as Error });
      progress(`[${suite.name}] failed: ${(error as Error).stack ?? error}`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  return report;
}
