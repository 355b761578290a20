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
 *      the two in one `ctx.measure` call), and sets a target: `{ minRate }` (req/s) and/or
 *      `{ minRatio }` (req/s relative to the baseline).
 * Suites should use `ctx.options.quick` only to shrink work, never to skip a case: the smoke test
 * expects a row for every case in quick mode too.
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
}

export interface CaseSpec extends LoadSpec {
  name: string;
  server: ServerProcess;
  /** The `name` of another case of this run to compare with. */
  baseline?: string;
  target?: Target;
  /** Per-case overrides of the run's settings (connections, pipelining). */
  settings?: Partial<Pick<LoadSettings, "connections" | "pipelining">>;
}

export interface Row extends Measurement {
  suite: string;
  name: string;
  server: string;
  baseline?: string;
  target?: Target;
}

export interface BenchContext {
  options: BenchOptions;
  spawn<I extends ServerInfo>(
    label: string,
    entry: string,
    options?: SpawnOptions & { profile?: boolean },
  ): Promise<ServerProcess<I>>;
  /** Measures cases, taking turns between them when given several (a case and its baseline). */
  measure(...specs: CaseSpec[]): Promise<Row[]>;
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
          specs.map(({ name, server, baseline, target, settings, ...load }) => ({
            url: server.info.url,
            pid: server.pid,
            spec: load,
            settings: { ...options, ...settings },
          })),
        );
        return specs.map((spec, i) => {
          const row: Row = {
            suite: suite.name,
            name: spec.name,
            server: spec.server.label,
            baseline: spec.baseline,
            target: spec.target,
            ...measurements[i],
          };
          report.rows.push(row);
          progress(
            `[${suite.name}] ${row.name}: ${Math.round(row.reqPerSec)} req/s, p99 ${row.p99.toFixed(2)} ms${row.non2xx || row.errors ? `, ${row.statusCodes} ${row.errors} errors` : ""}`,
          );
          return row;
        });
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
