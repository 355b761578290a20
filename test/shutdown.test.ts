/**
 * Graceful shutdown of a real process on SIGTERM: it stops accepting connections at once,
 * lets a request in flight finish (its save is kept), ends change streams with a retry hint,
 * and exits 0 — within the --shutdown-timeout bound even when a client never finishes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ServerProcess, spawnServer } from "./support/processes.ts";
import { ADMIN_AUTH, presentMap, sleep, writeSeed } from "./support/reliability.ts";

function exited(node: ServerProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null) resolve({ code: node.child.exitCode, at: performance.now() });
    else node.child.once("exit", (code) => resolve({ code, at: performance.now() }));
  });
}

/** Connects and sends the head and the first half of a SaveAll body; the rest is sent later. */
function startSlowSave(url: string, body: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), "127.0.0.1");
  let response = "";
  const done = new Promise<string>((resolve) => {
    socket.on("data", (d) => {
      response += d.toString();
    });
    socket.on("close", () => resolve(response));
    socket.on("error", () => resolve(response));
  });
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /api/v1/Presence/SaveAll HTTP/1.1\r\nHost: x\r\nAuthorization: ${ADMIN_AUTH}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
  );
  return { finish: () => socket.end(body.slice(half)), done, socket };
}

function refused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("graceful shutdown on SIGTERM", () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-shutdown-"));
  const db = join(dir, "store.db");
  const seed = writeSeed(dir, 10);
  const serve = ["serve", "--port", "0", "--db", db, "--log-level", "warn"];
  let node: ServerProcess | undefined;
  after(async () => {
    await node?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("drains: refuses new connections, finishes the request in flight, ends streams with retry, exits 0", async () => {
    node = await spawnServer([...serve, "--seed", seed, "--shutdown-timeout", "8"]);
    const { url } = node;
    const stream = await fetch(`${url}/api/v1/Presence/Stream`, {
      headers: { Authorization: ADMIN_AUTH },
    });
    assert.equal(stream.status, 200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const streamed = (async () => {
      let text = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return text;
        text += Buffer.from(value as Uint8Array).toString();
      }
    })();
    const save = startSlowSave(url, JSON.stringify([{ UserId: 5, Present: true }]));
    await sleep(300); // the server has the head and is waiting for the rest of the body
    const exit = exited(node);
    const signalled = performance.now();
    node.child.kill("SIGTERM");

    let refusedAfter = -1;
    for (let i = 0; i < 50 && refusedAfter < 0; i++) {
      if (await refused(url)) refusedAfter = performance.now() - signalled;
      else await sleep(50);
    }
    assert.ok(refusedAfter >= 0, "new connections are refused while draining");
    const streamText = await streamed;
    assert.match(streamText, /retry: \d+/, "the stream ended with a retry hint");

    await sleep(500); // still draining: the request in flight holds the exit
    assert.equal(node.child.exitCode, null, "the process waits for the request in flight");
    save.finish();
    const response = await save.done;
    assert.match(response, /^HTTP\/1\.1 204 /, response);
    const { code, at } = await exit;
    console.log(
      `shutdown: new connections refused ${refusedAfter.toFixed(0)} ms after SIGTERM; in-flight save answered 204; exit ${code} after ${(at - signalled).toFixed(0)} ms`,
    );
    assert.equal(code, 0);

    node = await spawnServer(serve);
    assert.equal((await presentMap(node.url)).get(5), true, "the drained save was kept");
    await node.stop();
  });

  it("exits within --shutdown-timeout when a client never finishes its request", async () => {
    node = await spawnServer([...serve, "--shutdown-timeout", "2"]);
    const stuck = startSlowSave(node.url, JSON.stringify([{ UserId: 6, Present: true }]));
    await sleep(300);
    const exit = exited(node);
    const signalled = performance.now();
    node.child.kill("SIGTERM");
    const { code, at } = await exit;
    const took = at - signalled;
    console.log(
      `shutdown with a stuck client: exit ${code} after ${took.toFixed(0)} ms (bound 2 s)`,
    );
    stuck.socket.destroy();
    assert.equal(code, 0);
    assert.ok(took >= 1800, `it waited for the bound (${took} ms)`);
    assert.ok(took < 6000, `it did not hang (${took} ms)`);
  });
});
