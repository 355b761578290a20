/** Shared pieces of the CLI tests: running bin/chat-presence.js, and a workspace with a seed. */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BIN = new URL("../../bin/chat-presence.js", import.meta.url).pathname;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion; never throws on a non-zero exit. */
export function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...options.env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** Starts `serve` and resolves with the URL it prints once it listens. */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, "serve", "--log-level", "warn", ...args], {
    env: { ...process.env, ...env },
  });
  return new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export const SEED = {
  users: [
    {
      id: 1,
      username: "anna",
      displayName: "Anna Berg",
      password: "s3cret",
      admin: true,
      present: false,
    },
    { id: 2, username: "bo", displayName: "Bo Ek", password: "b0-pw", present: true },
  ],
  topics: [
    {
      id: 10,
      name: "Sales",
      members: [
        { userId: 1, canListen: true, canRespond: true, canManage: false, canNotify: false },
      ],
    },
  ],
  sessions: [{ id: 100, topicId: 10, userId: 1, status: "UserLast" }],
  appTokens: ["app-123"],
};

/** A temp directory holding SEED as seed.json; the CLI runs the build, so dist/ must exist. */
export function workspace() {
  assert.ok(
    existsSync(new URL("../../dist/cli/main.js", import.meta.url)),
    "run `npm run build` first",
  );
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-cli-"));
  const seedFile = join(dir, "seed.json");
  writeFileSync(seedFile, JSON.stringify(SEED));
  return { dir, seedFile, close: () => rmSync(dir, { recursive: true, force: true }) };
}
