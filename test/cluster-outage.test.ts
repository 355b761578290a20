/**
 * A node that loses its database answers 503 with a clear error, reconnects by itself, and
 * resyncs: changes other nodes made meanwhile show in its GetAll and on its open streams.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { type ServerProcess, serveArgs, spawnServer } from "./support/processes.ts";
import { basic } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";
import { startProxy, type TcpProxy } from "./support/tcp-proxy.ts";

const skip = await announceSkip("database outage");
const ADMIN = { Authorization: basic("admin", "admin-pw") };

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a node that loses its database", { skip }, () => {
  const scratch = scratchSchema();
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-outage-"));
  let proxy: TcpProxy;
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    const seed = join(dir, "seed.json");
    const users = [
      { id: 1, username: "admin", password: "admin-pw", admin: true },
      ...[2, 3, 4].map((id) => ({ id, username: `u${id}` })),
    ];
    writeFileSync(seed, JSON.stringify({ users }));
    const direct = new URL(scratch.url);
    proxy = await startProxy(Number(direct.port || 5432), direct.hostname);
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    b = await spawnServer(serveArgs(scratch.url, "--seed", seed, "--log-level", "fatal"));
    a = await spawnServer(serveArgs(viaProxy.toString(), "--log-level", "fatal"));
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 while cut off, then catches up with what other nodes changed", async () => {
    const stream = await openStream(`${a.url}/api/v1/Presence/Stream?userId=3`, ADMIN);
    assert.equal((await stream.next()).event, "snapshot");
    await proxy.cut();

    const during = await fetch(`${a.url}/api/v1/Presence/GetAll`, { headers: ADMIN });
    assert.equal(during.status, 503);
    const body = await during.json();
    assert.equal(body.Error, true);
    assert.match(body.Message, /database/);
    const save = await fetch(`${b.url}/api/v1/Presence/SaveAll`, {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify([{ UserId: 3, Present: true }]),
    });
    assert.equal(save.status, 204, "the other node keeps serving");

    await proxy.restore();
    const present = await eventually(async () => {
      const response = await fetch(`${a.url}/api/v1/Presence/GetAll`, { headers: ADMIN });
      if (response.status !== 200) return undefined;
      const list = await response.json();
      return list.find((p: { UserId: number }) => p.UserId === 3).Present === true
        ? true
        : undefined;
    }, 10_000);
    assert.equal(present, true);
    const missed = await stream.next(10_000);
    assert.equal(missed.event, "change");
    assert.equal(
      JSON.parse(missed.data).Present,
      true,
      "the open stream got the change made during the outage",
    );
    stream.close();
  });
});
