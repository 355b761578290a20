/**
 * PostgreSQL's own small durable write transaction as a baseline: `pgbench -N` (simple update:
 * one UPDATE, one SELECT, one INSERT per transaction) on a scratch database of its own, so it
 * runs on the same server, disks and cores as the cases it is compared with.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface Pgbench {
  /** Transactions per second of one `pgbench -N` run. */
  tps(clients: number, seconds: number): Promise<number>;
  close(): Promise<void>;
}

/** A ready pgbench database, or why there is none (pgbench missing, no rights). */
export async function openPgbench(url: string): Promise<Pgbench | string> {
  try {
    await run("pgbench", ["--version"]);
  } catch {
    return "pgbench is not installed (it comes with the PostgreSQL client)";
  }
  const name = `bench_pgbench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    return `cannot create a pgbench database: ${(error as Error).message}`;
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  target.search = "";
  const db = target.toString();
  await run("pgbench", ["-i", "-q", "-s", "1", db]);
  return {
    async tps(clients, seconds) {
      const { stdout } = await run("pgbench", [
        "-N",
        "-n",
        "-c",
        String(clients),
        "-j",
        String(Math.min(clients, 2)),
        "-T",
        String(Math.max(1, Math.round(seconds))),
        db,
      ]);
      const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
      if (!match) throw new Error(`pgbench said: ${stdout}`);
      return Number(match[1]);
    },
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}
