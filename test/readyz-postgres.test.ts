/**
 * /readyz on PostgreSQL: 503 while the database cannot be reached (its connection cut by a TCP
 * proxy), 200 again once it can, while /healthz stays 200 throughout.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { startProxy, type TcpProxy } from "./support/tcp-proxy.ts";

const skip = await announceSkip("readyz on PostgreSQL");

async function status(server: TestServer, path: string): Promise<number> {
  const response = await server.fetch(path);
  await response.arrayBuffer();
  return response.status;
}

async function eventually(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe("/readyz on PostgreSQL", { skip }, () => {
  const scratch = scratchSchema();
  let proxy: TcpProxy;
  let server: TestServer;
  before(async () => {
    const direct = new URL(scratch.url);
    proxy = await startProxy(Number(direct.port || 5432), direct.hostname);
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    server = await startTestServer({ db: viaProxy.toString() });
  });
  after(async () => {
    await server?.close().catch(() => undefined);
    await proxy?.close();
    await scratch.drop();
  });

  it("follows the database: 200, 503 while it is cut off, 200 again", async () => {
    assert.equal(await status(server, "/readyz"), 200);
    await proxy.cut();
    const down = await eventually(async () => (await status(server, "/readyz")) === 503, 10_000);
    assert.equal(await status(server, "/healthz"), 200);
    await proxy.restore();
    const up = await eventually(async () => (await status(server, "/readyz")) === 200, 15_000);
    console.log(
      `readyz on PostgreSQL: 503 ${down} ms after the cut, 200 ${up} ms after the restore`,
    );
  });
});
