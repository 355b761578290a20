/**
 * Servers under test run as child processes, so the load generator and the server never share an
 * event loop. An entry (bench/servers/*.ts) is bundled with esbuild into one ESM file first and
 * run with plain `node`: no TypeScript loader in the process, so its CPU and RSS are what a
 * compiled deployment would show. The entry reports readiness with `process.send(info)`, where
 * `info.url` is its base URL, and must exit on SIGTERM and when the parent disconnects.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = join(BENCH_DIR, "..");
/** Inside node_modules, so the bundles' bare imports (fastify, better-sqlite3) resolve. */
const BUILD_DIR = join(REPO_DIR, "node_modules", ".cache", "chat-presence-bench");

const bundles = new Map<string, Promise<string>>();

/**
 * Modules that find their files next to themselves (`new URL("./wsdl/", import.meta.url)`) keep
 * doing so from inside the bundle: each module's import.meta.url becomes its own source URL.
 */
const keepModuleUrls: Plugin = {
  name: "keep-module-urls",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, "utf8")).replaceAll(
        "import.meta.url",
        JSON.stringify(pathToFileURL(path).href),
      ),
      loader: "ts",
    }));
  },
};

/** Bundles an entry once per bench run; packages stay external and load from node_modules. */
export function bundle(entry: string): Promise<string> {
  let built = bundles.get(entry);
  if (!built) {
    const outfile = join(BUILD_DIR, `${basename(entry, ".ts")}-${process.pid}.mjs`);
    mkdirSync(BUILD_DIR, { recursive: true });
    process.once("exit", () => rmSync(outfile, { force: true }));
    built = build({
      entryPoints: [join(BENCH_DIR, entry)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "error",
      plugins: [keepModuleUrls],
    }).then(() => outfile);
    bundles.set(entry, built);
  }
  return built;
}

export interface ServerInfo {
  url: string;
  [key: string]: unknown;
}

export interface ServerProcess<I extends ServerInfo = ServerInfo> {
  /** A short label for messages, such as "app" or "bare". */
  label: string;
  pid: number;
  info: I;
  /** The child itself, for entries that take further IPC messages (bench/clients/*.ts). */
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  args?: string[];
  /** Extra node flags, such as --cpu-prof. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

/** Starts `bench/<entry>` (such as "servers/app.ts") and resolves with what it sent once listening. */
export async function spawnServer<I extends ServerInfo>(
  label: string,
  entry: string,
  options: SpawnOptions = {},
): Promise<ServerProcess<I>> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), await bundle(entry), ...(options.args ?? [])],
    // stdout is dropped (a server logging at info writes there); errors still reach the terminal.
    { cwd: REPO_DIR, stdio: ["ignore", "ignore", "inherit", "ipc"] },
  );
  const info = await new Promise<I>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label}: not ready after ${options.startTimeoutMs ?? 60_000} ms`));
    }, options.startTimeoutMs ?? 60_000);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as I);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited before it was ready (${signal ?? code})`));
    });
  });
  return { label, pid: child.pid as number, info, child, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
