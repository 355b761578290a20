/** MessageService on two PostgreSQL nodes: a follower on one gets what is posted on both. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADA, type Backend, CY, collector, postgres, seed } from "./support/chat-messages.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { startProxy, type TcpProxy } from "./support/tcp-proxy.ts";

const skip = await announceSkip("MessageService across nodes");

describe("MessageService: followers on another PostgreSQL node", { skip }, () => {
  const nodes: Awaited<ReturnType<Backend["open"]>>[] = [];
  const cross = scratchSchema();
  before(async () => {
    nodes.push(await postgres(false, cross.url).open(), await postgres(false, cross.url).open());
    await seed(nodes[0].store);
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await cross.drop();
  });

  it("messages posted on both nodes reach a follower on one, each once and in id order", async () => {
    const [a, b] = nodes.map((n) => n.services);
    for (let round = 0; round < 5; round++) {
      const { id } = await a.sessions.create({ topicId: 10 });
      const followed = collector(30);
      const stop = await b.messages.follow(CY, id, 0, followed.listener);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? a : b).messages.post(ADA, id, { type: "ToUser", message: `${round}:${i}` }),
        ),
      );
      await followed.complete;
      stop();
      await assertFollowedAll(nodes[0], id, followed.got, `round ${round}`);
    }
  });
});

describe("MessageService: a follower whose node lost its database", { skip }, () => {
  const nodes: Awaited<ReturnType<Backend["open"]>>[] = [];
  const scratch = scratchSchema();
  let proxy: TcpProxy;
  before(async () => {
    const direct = new URL(scratch.url);
    proxy = await startProxy(Number(direct.port || 5432), direct.hostname);
    const viaProxy = new URL(scratch.url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    nodes.push(await postgres(false, scratch.url).open());
    await seed(nodes[0].store);
    nodes.push(await postgres(false, viaProxy.toString(), 100).open());
  });
  after(async () => {
    for (const node of nodes) await node.close().catch(() => undefined);
    await proxy?.close();
    await scratch.drop();
  });

  it("gets what was posted while it was cut off once the connection is back", async () => {
    const [a, b] = nodes.map((n) => n.services);
    const { id } = await a.sessions.create({ topicId: 10 });
    const followed = collector(6);
    const stop = await b.messages.follow(CY, id, 0, followed.listener);
    await a.messages.post(ADA, id, { type: "ToUser", message: "before the cut" });
    await proxy.cut();
    for (let i = 0; i < 4; i++) {
      await a.messages.post(ADA, id, { type: "ToUser", message: `during the cut ${i}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await proxy.restore();
    // No post after the restore until all five are in: only the reconnect can bring them.
    await waitFor(() => followed.got.length >= 5);
    await a.messages.post(ADA, id, { type: "ToUser", message: "after" });
    await followed.complete;
    stop();
    await assertFollowedAll(nodes[0], id, followed.got);
  });
});

/** The follower got every message the session holds, each once, in order. */
async function assertFollowedAll(
  node: Awaited<ReturnType<Backend["open"]>>,
  sessionId: number,
  got: { id: number }[],
  message?: string,
): Promise<void> {
  const stored = await node.store.listMessages(sessionId, { after: 0, limit: 100 });
  assert.deepEqual(
    got.map((m) => m.id),
    stored.map((m) => m.id),
    message,
  );
}

async function waitFor(done: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
