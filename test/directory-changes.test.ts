/**
 * Directory changes made outside a serving process reach every node's answers within 1 s:
 * `chat-presence import` and `user add|rm` run as real processes against the store that real
 * servers are serving, on SQLite (one server on the file) and on PostgreSQL (two nodes, one
 * started with --seed beside one without).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, SEED, workspace } from "./support/cli.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { type ServerProcess, serveArgs, spawnServer } from "./support/processes.ts";
import { basic } from "./support/server.ts";
import { openStream, type SseStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: basic("anna", "s3cret") };
const WITHIN_MS = 1000;

interface Row {
  UserId: number;
  DisplayName: string;
  ChatTopics: number[];
}

/** What a node answers on REST GetAll and on Agents GetChatPresence, by user. */
async function listed(node: ServerProcess): Promise<Map<number, Row>[]> {
  const rest = (await (
    await fetch(`${node.url}/api/v1/Presence/GetAll`, { headers: ADMIN })
  ).json()) as Row[];
  const agents = (await (
    await fetch(`${node.url}/api/v1/Agents/Chat/GetChatPresence`, {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: "{}",
    })
  ).json()) as Row[];
  return [rest, agents].map((list) => new Map(list.map((p) => [p.UserId, p])));
}

/** Polls every node until `check` holds for both its answers; fails after WITHIN_MS. */
async function onEveryNode(
  nodes: ServerProcess[],
  check: (list: Map<number, Row>) => boolean,
  what: string,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answers = (await Promise.all(nodes.map(listed))).flat();
    if (answers.every(check)) return performance.now() - started;
    if (performance.now() - started > WITHIN_MS)
      assert.fail(`${what}: not on every node within ${WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads change events until one for each of `userIds` came; fails after WITHIN_MS. */
async function streamed(stream: SseStream, userIds: number[]): Promise<void> {
  const waiting = new Set(userIds);
  const until = performance.now() + WITHIN_MS;
  while (waiting.size > 0) {
    const event = await stream.next(Math.max(1, until - performance.now()));
    if (event.event === "change") waiting.delete(JSON.parse(event.data).UserId);
  }
}

function scenario(
  name: string,
  skip: boolean,
  start: (seed: string) => Promise<{ db: string; nodes: ServerProcess[]; drop(): Promise<void> }>,
) {
  describe(`directory changes from other processes: ${name}`, { skip }, () => {
    const space = workspace();
    let db: string;
    let nodes: ServerProcess[] = [];
    let drop: () => Promise<void> = async () => {};
    const streams: SseStream[] = [];

    before(async () => {
      ({ db, nodes, drop } = await start(space.seedFile));
      for (const node of nodes) {
        const stream = await openStream(`${node.url}/api/v1/Presence/Stream`, ADMIN);
        assert.equal((await stream.next()).event, "snapshot");
        streams.push(stream);
      }
    });
    after(async () => {
      for (const stream of streams) stream.close();
      await Promise.all(nodes.map((n) => n.stop()));
      await drop();
      space.close();
    });

    it("seeded users are listed by every node, also one started without --seed", async () => {
      await onEveryNode(nodes, (l) => l.has(1) && l.has(2), "the seed");
    });

    it("`import` of new users, a membership and a new display name", async () => {
      const file = join(space.dir, "more.json");
      writeFileSync(
        file,
        JSON.stringify({
          users: [
            { ...SEED.users[1], displayName: "Bo Ekberg" },
            { id: 3, username: "carl", displayName: "Carl" },
            { id: 4, username: "dora", displayName: "Dora" },
          ],
          topics: [{ id: 10, name: "Sales", members: [{ userId: 3, canRespond: true }] }],
        }),
      );
      const run = await cli(["import", file, "--db", db]);
      assert.equal(run.code, 0, run.stderr);
      const ms = await onEveryNode(
        nodes,
        (l) =>
          l.get(2)?.DisplayName === "Bo Ekberg" &&
          l.has(4) &&
          l.get(3)?.ChatTopics.includes(10) === true,
        "the import",
      );
      for (const stream of streams) await streamed(stream, [3, 4]);
      console.log(`${name}: import seen by every node after ${ms.toFixed(0)} ms`);
    });

    it("`user add` and `user rm`", async () => {
      const added = await cli(
        ["user", "add", "erik", "--id", "7", "--password-stdin", "--db", db],
        { input: "erik-password\n" },
      );
      assert.equal(added.code, 0, added.stderr);
      await onEveryNode(nodes, (l) => l.get(7)?.DisplayName === "erik", "user add");
      for (const stream of streams) await streamed(stream, [7]);
      const removed = await cli(["user", "rm", "erik", "--db", db]);
      assert.equal(removed.code, 0, removed.stderr);
      await onEveryNode(nodes, (l) => !l.has(7), "user rm");
    });
  });
}

scenario("sqlite, one server on the file", false, async (seed) => {
  const space = workspace();
  const db = join(space.dir, "served.db");
  const node = await spawnServer(serveArgs(db, "--seed", seed, "--log-level", "warn"));
  return { db, nodes: [node], drop: async () => space.close() };
});

const pgSkip = await announceSkip("directory changes");
scenario("postgres, two nodes", pgSkip, async (seed) => {
  const scratch = scratchSchema();
  const nodes = await Promise.all([
    spawnServer(serveArgs(scratch.url, "--seed", seed, "--log-level", "warn")),
    spawnServer(serveArgs(scratch.url, "--log-level", "warn")),
  ]);
  return { db: scratch.url, nodes, drop: () => scratch.drop() };
});
