/**
 * Three real server processes on one PostgreSQL schema, started together on an empty schema,
 * one with --seed and two without: read-your-writes across nodes, the change stream across
 * nodes (in Version order, nothing skipped, under writes through every node), tickets, and no
 * acknowledged save lost when one node is killed -9.
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

const skip = await announceSkip("cluster");
const ADMIN = { Authorization: basic("admin", "admin-pw") };
const USERS = 2000;

function seedFile(dir: string): string {
  const users = [{ id: 1, username: "admin", password: "admin-pw", admin: true }];
  for (let id = 2; id <= USERS; id++)
    users.push({ id, username: `agent${id}`, password: null as never, admin: false });
  const path = join(dir, "seed.json");
  writeFileSync(
    path,
    JSON.stringify({
      users,
      topics: [{ id: 10, name: "Sales", members: [{ userId: 2, canRespond: true }] }],
    }),
  );
  return path;
}

async function save(node: ServerProcess, userId: number, present: boolean): Promise<number> {
  const response = await fetch(`${node.url}/api/v1/Presence/SaveAll`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify([{ UserId: userId, Present: present }]),
  });
  await response.arrayBuffer();
  return response.status;
}

async function presentOf(node: ServerProcess): Promise<Map<number, boolean>> {
  const list = await (await fetch(`${node.url}/api/v1/Presence/GetAll`, { headers: ADMIN })).json();
  return new Map(list.map((p: { UserId: number; Present: boolean }) => [p.UserId, p.Present]));
}

describe("three nodes on one PostgreSQL", { skip }, () => {
  const scratch = scratchSchema();
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-cluster-"));
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;

  before(async () => {
    const quiet = ["--log-level", "warn"];
    // Started together on an empty schema: the advisory lock keeps their migrations from
    // racing, and the seed imported by A reaches B and C, which had none.
    [a, b, c] = await Promise.all([
      spawnServer(serveArgs(scratch.url, "--seed", seedFile(dir), ...quiet)),
      spawnServer(serveArgs(scratch.url, ...quiet)),
      spawnServer(serveArgs(scratch.url, ...quiet)),
    ]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the seed one node imported is in every node's GetAll", async () => {
    const deadline = Date.now() + 1000;
    for (const node of [a, b, c]) {
      while ((await presentOf(node)).size < USERS && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal((await presentOf(node)).size, USERS, node.url);
    }
  });

  it("a save acknowledged by one node is in the others' GetAll straight after, every time", async () => {
    const nodes = [a, b, c];
    for (const node of nodes) await presentOf(node); // warm caches that must not go stale
    for (let i = 0; i < 30; i++) {
      const present = i % 2 === 0;
      const writer = nodes[i % 3];
      assert.equal(await save(writer, 2, present), 204);
      for (const reader of nodes)
        if (reader !== writer)
          assert.equal((await presentOf(reader)).get(2), present, `round ${i}`);
    }
  });

  it("every node's stream gets every change, in Version order, while all three write", async () => {
    const streams = await Promise.all(
      [a, b, c].map((node) => openStream(`${node.url}/api/v1/Presence/Stream`, ADMIN)),
    );
    const starts = await Promise.all(streams.map(async (s) => Number((await s.next()).id)));
    const users = Array.from({ length: 90 }, (_, i) => 1100 + i);
    await Promise.all(
      [a, b, c].map(async (node, n) => {
        for (const userId of users.filter((_, i) => i % 3 === n))
          assert.equal(await save(node, userId, true), 204);
      }),
    );
    const history = (await (
      await fetch(`${a.url}/api/v1/Presence/History?limit=10000`, { headers: ADMIN })
    ).json()) as { Version: number }[];
    for (const [n, stream] of streams.entries()) {
      const expected = history.map((e) => e.Version).filter((v) => v > starts[n]);
      const got: number[] = [];
      while (got.length < expected.length) {
        const event = await stream.next(3000);
        if (event.event === "change") got.push(Number(event.id));
      }
      assert.deepEqual(got, expected, `stream ${n}: in order, nothing skipped`);
      stream.close();
    }
  });

  it("a change made on A reaches B's and C's streams in under 200 ms", async () => {
    const streams = await Promise.all(
      [b, c].map((node) => openStream(`${node.url}/api/v1/Presence/Stream?userId=3`, ADMIN)),
    );
    for (const stream of streams) assert.equal((await stream.next()).event, "snapshot");
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      assert.equal(await save(a, 3, i % 2 === 0), 204);
      for (const stream of streams) {
        const change = await stream.next(2000);
        latencies.push(performance.now() - started);
        assert.equal(JSON.parse(change.data).Present, i % 2 === 0);
      }
    }
    for (const stream of streams) stream.close();
    const worst = Math.max(...latencies);
    console.log(
      `cross-node stream latency: max ${worst.toFixed(1)} ms over ${latencies.length} deliveries`,
    );
    assert.ok(worst < 200, `worst latency ${worst} ms`);
  });

  it("tickets issued on one node work on the others", async () => {
    const login = await fetch(`${a.url}/api/v1/Auth/Login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ Username: "admin", Password: "admin-pw" }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    for (const node of [b, c]) {
      const me = await fetch(`${node.url}/api/v1/Auth/Me`, { headers: { Cookie: cookie } });
      assert.equal(me.status, 200);
    }
  });

  it("kill -9 of A while clients write through all three: the others keep serving, no acknowledged save is lost", async () => {
    // Each user is switched on exactly once, so an acknowledged save can only be undone by loss
    // (a save in flight when A died may or may not have landed: it was never acknowledged).
    const acknowledged: number[] = [];
    let stop = false;
    const writer = async (node: ServerProcess, from: number, to: number) => {
      for (let userId = from; userId < to && !stop; userId++) {
        try {
          if ((await save(node, userId, true)) === 204) acknowledged.push(userId);
        } catch {
          // A dead node refuses connections; those saves were never acknowledged.
        }
      }
    };
    const writers = [writer(a, 100, 700), writer(b, 700, 1100), writer(c, 1200, USERS)];
    await new Promise((r) => setTimeout(r, 400));
    await a.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await Promise.all(writers);
    assert.equal(await save(b, 5, true), 204, "B still serves after A died");
    assert.equal(await save(c, 6, true), 204, "C still serves after A died");
    for (const survivor of [b, c]) {
      const stored = await presentOf(survivor);
      const lost = acknowledged.filter((userId) => stored.get(userId) !== true);
      console.log(
        `kill -9: ${acknowledged.length} acknowledged saves across three nodes, ${lost.length} lost on ${survivor.url}`,
      );
      assert.deepEqual(lost, []);
    }
    assert.ok(
      acknowledged.some((id) => id < 700),
      "A acknowledged saves before it died",
    );
  });
});

describe("heartbeat expiry on three nodes", { skip }, () => {
  const scratch = scratchSchema();
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-expiry-"));
  let nodes: ServerProcess[] = [];

  before(async () => {
    const options = ["--presence-ttl", "1", "--log-level", "warn"];
    const args = serveArgs(scratch.url, "--seed", seedFile(dir), ...options);
    nodes = await Promise.all([spawnServer(args), spawnServer(args), spawnServer(args)]);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each lapse happens once for the whole cluster", async () => {
    const users = [20, 21, 22, 23, 24];
    for (const userId of users) assert.equal(await save(nodes[userId % 3], userId, true), 204);
    await new Promise((r) => setTimeout(r, 2500));
    const history = await (
      await fetch(`${nodes[0].url}/api/v1/Presence/History?limit=10000`, { headers: ADMIN })
    ).json();
    const lapses = history.filter(
      (e: { Source: string; UserId: number }) => e.Source === "expiry" && users.includes(e.UserId),
    );
    assert.deepEqual(lapses.map((e: { UserId: number }) => e.UserId).sort(), users);
    for (const node of nodes) {
      const present = await presentOf(node);
      for (const userId of users) assert.equal(present.get(userId), false);
    }
  });
});
