/**
 * `npm run bench [-- options]`: starts the servers itself, drives them with autocannon and prints
 * one table. A report, not a test: it exits 0 whether targets are met or missed (1 only when
 * the harness itself fails). Options:
 *   --quick              a few-second smoke run of every case
 *   --duration <s>       measured seconds per case (default 6; quick 1)
 *   --warmup <s>         warm-up seconds per case (default 2; quick 0.5)
 *   --rounds <n>         turns a case and its baseline take (default: one per 2 s measured)
 *   --connections <n>    concurrent connections (default 10)
 *   --pipelining <n>     requests in flight per connection (default 1)
 *   --log-level <level>  the app server's log level (default warn; info logs every request)
 *   --only <text>        run only the suites whose name contains this
 *   --case <text>        measure only the cases whose name contains this
 *   --profile <dir>      write the app server's CPU profile (node --cpu-prof) into <dir>
 */
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { largeSuite } from "./cases/large.ts";
import { postgresSuite } from "./cases/postgres.ts";
import { presenceSuite } from "./cases/presence.ts";
import { routingSuite } from "./cases/routing.ts";
import { soapSuite } from "./cases/soap.ts";
import { startupSuite } from "./cases/startup.ts";
import { streamSuite } from "./cases/stream.ts";
import { webhooksSuite } from "./cases/webhooks.ts";
import { type BenchOptions, runSuites, type Suite } from "./lib/harness.ts";
import { formatReport } from "./lib/table.ts";

/** Every suite, in the order they run. Add new ones here. */
export const SUITES: Suite[] = [
  presenceSuite,
  soapSuite,
  streamSuite,
  largeSuite,
  startupSuite,
  webhooksSuite,
  postgresSuite,
  routingSuite,
];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    warmup: { type: "string" },
    rounds: { type: "string" },
    connections: { type: "string", default: "10" },
    pipelining: { type: "string", default: "1" },
    "log-level": { type: "string", default: "warn" },
    only: { type: "string" },
    case: { type: "string" },
    profile: { type: "string" },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, not ${value}`);
  return n;
}

const quick = values.quick ?? false;
const duration = positive("duration", values.duration ?? (quick ? "1" : "6"));
const options: BenchOptions = {
  quick,
  duration,
  rounds: Math.round(
    values.rounds ? positive("rounds", values.rounds) : Math.max(1, Math.round(duration / 2)),
  ),
  warmup: values.warmup === "0" ? 0 : positive("warmup", values.warmup ?? (quick ? "0.5" : "2")),
  connections: positive("connections", values.connections as string),
  pipelining: positive("pipelining", values.pipelining as string),
  logLevel: values["log-level"] as string,
  profileDir: values.profile ? resolve(values.profile) : null,
  cases: values.case ?? null,
};

const suites = SUITES.filter((s) => !values.only || s.name.includes(values.only));
const cpu = cpus();
console.log(
  `chat-presence bench: node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "cpu"}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB; ${options.duration} s per case in ${options.rounds} turns, after ${options.warmup} s warm-up`,
);
const started = Date.now();
const report = await runSuites(suites, options, (line) => console.error(line));
console.log(`\n${formatReport(report)}`);
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
if (options.profileDir) console.log(`CPU profiles in ${options.profileDir}`);
process.exit(report.failures.length > 0 ? 1 : 0);
