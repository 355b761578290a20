/**
 * Two real server processes on one PostgreSQL schema: read-your-writes across nodes, the
 * change stream across nodes, and no acknowledged save lost when one node is killed -9.
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

describe("two nodes on one PostgreSQL", { skip }, () => {
  const scratch = scratchSchema();
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-cluster-"));
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    const args = serveArgs(scratch.url, "--seed", seedFile(dir), "--log-level", "warn");
    // Started together: the advisory lock keeps their migrations from racing.
    [a, b] = await Promise.all([spawnServer(args), spawnServer(args)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a save acknowledged by A is in B's GetAll straight after, every time", async () => {
    await presentOf(b); // B has a warm cache that must not go stale.
    for (let i = 0; i < 20; i++) {
      const present = i % 2 === 0;
      assert.equal(await save(a, 2, present), 204);
      assert.equal((await presentOf(b)).get(2), present, `round ${i}`);
    }
  });

  it("a change made on A reaches B's stream in under 200 ms", async () => {
    const stream = await openStream(`${b.url}/api/v1/Presence/Stream?userId=3`, ADMIN);
    assert.equal((await stream.next()).event, "snapshot");
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      assert.equal(await save(a, 3, i % 2 === 0), 204);
      const change = await stream.next(2000);
      latencies.push(performance.now() - started);
      assert.equal(JSON.parse(change.data).Present, i % 2 === 0);
    }
    stream.close();
    const worst = Math.max(...latencies);
    console.log(
      `cross-node stream latency: max ${worst.toFixed(1)} ms over ${latencies.length} changes`,
    );
    assert.ok(worst < 200, `worst latency ${worst} ms`);
  });

  it("tickets issued on one node work on the other", async () => {
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
    const me = await fetch(`${b.url}/api/v1/Auth/Me`, { headers: { Cookie: cookie } });
    assert.equal(me.status, 200);
  });

  it("kill -9 of A while clients write through both: B keeps serving, no acknowledged save is lost", async () => {
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
    const writers = [writer(a, 100, 1000), writer(b, 1000, USERS)];
    await new Promise((r) => setTimeout(r, 400));
    await a.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await Promise.all(writers);
    assert.equal(await save(b, 5, true), 204, "B still serves after A died");
    const stored = await presentOf(b);
    const lost = acknowledged.filter((userId) => stored.get(userId) !== true);
    console.log(
      `kill -9: ${acknowledged.length} acknowledged saves across both nodes, ${lost.length} lost`,
    );
    assert.ok(
      acknowledged.some((id) => id < 1000),
      "A acknowledged saves before it died",
    );
    assert.deepEqual(lost, []);
  });
});

describe("heartbeat expiry on two nodes", { skip }, () => {
  const scratch = scratchSchema();
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-expiry-"));
  let nodes: ServerProcess[] = [];

  before(async () => {
    const options = ["--presence-ttl", "1", "--log-level", "warn"];
    const args = serveArgs(scratch.url, "--seed", seedFile(dir), ...options);
    nodes = await Promise.all([spawnServer(args), spawnServer(args)]);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each lapse happens once for the whole cluster", async () => {
    const users = [20, 21, 22, 23, 24];
    for (const userId of users) assert.equal(await save(nodes[userId % 2], userId, true), 204);
    await new Promise((r) => setTimeout(r, 2500));
    const history = await (
      await fetch(`${nodes[0].url}/api/v1/Presence/History?limit=10000`, { headers: ADMIN })
    ).json();
    const lapses = history.filter(
      (e: { Source: string; UserId: number }) => e.Source === "expiry" && users.includes(e.UserId),
    );
    assert.deepEqual(lapses.map((e: { UserId: number }) => e.UserId).sort(), users);
    const present = await presentOf(nodes[1]);
    for (const userId of users) assert.equal(present.get(userId), false);
  });
});
