/**
 * The supported Node.js range: the check that bin/chat-presence.js runs before loading anything,
 * package.json's engines stating the same range, and the CLI's one-line answer on a version
 * outside it (a preload module makes the real CLI see another process.versions.node).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { SUPPORTED_NODE, unsupportedNode } from "../bin/node-version.js";
import { BIN } from "./support/cli.ts";

const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("supported Node.js versions", () => {
  it("accepts 20.19+, 22.12+, and 23 to 26", () => {
    for (const version of ["20.19.0", "20.20.2", "22.12.0", "22.22.1", "23.0.0", "24.0.0"]) {
      assert.equal(unsupportedNode(version), null, version);
    }
    for (const version of ["24.22.3", "25.9.0", "26.0.0", "26.12.1", process.versions.node]) {
      assert.equal(unsupportedNode(version), null, version);
    }
  });

  it("refuses older and newer versions in one line naming both", () => {
    for (const version of ["16.20.2", "18.20.8", "20.0.0", "20.18.3", "21.7.3", "22.11.0"]) {
      const problem = unsupportedNode(version);
      assert.ok(problem, version);
      assert.ok(problem.includes(version) && problem.includes(SUPPORTED_NODE), problem);
      assert.doesNotMatch(problem, /\n/);
    }
    for (const version of ["27.0.0", "28.1.0", "100.0.0"]) assert.ok(unsupportedNode(version));
  });

  it("is the range package.json's engines declares", () => {
    assert.equal(packageJson.engines.node, SUPPORTED_NODE);
  });

  it("makes the CLI answer an unsupported version in one line, before starting", async () => {
    const pretend = `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "18.20.8" } });`;
    const preload = `--import=data:text/javascript,${encodeURIComponent(pretend)}`;
    // A CLI that skipped the check would start serving: the timeout ends it and the test fails.
    const run = await promisify(execFile)(
      process.execPath,
      [BIN, "serve", "--port", "0", "--db", ":memory:"],
      {
        env: { ...process.env, NODE_OPTIONS: preload },
        timeout: 20_000,
      },
    ).then(
      () => ({ code: 0, stdout: "", stderr: "" }),
      (error) => error,
    );
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, `${unsupportedNode("18.20.8")}\n`);
  });
});
