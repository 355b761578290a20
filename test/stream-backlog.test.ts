/**
 * Resuming a change stream after a large backlog, over real HTTP: a replay too big to send at
 * once becomes resync + snapshot without the client being dropped, and a snapshot bigger than
 * the buffer limit reaches a client that reads it slowly.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer, testSeed } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";
import { ADMIN, latestId, save } from "./support/stream-replay.ts";

/** The test directory and `ids.length` more agents without passwords. */
function bulkSeed(ids: readonly number[]) {
  const seed = testSeed();
  for (const id of ids) {
    seed.users.push({
      id,
      username: `bulk${id}`,
      displayName: `Bulk ${id}`,
      role: "agent",
      present: false,
      password: null,
      passwordHash: null,
    });
  }
  return seed;
}

describe("resuming after a large backlog", () => {
  const EXTRA_USERS = 1_500;
  const SAVES = 6;
  let server: TestServer;
  let from: number;
  const userIds = Array.from({ length: EXTRA_USERS }, (_, i) => 10_000 + i);

  before(async () => {
    const seed = bulkSeed(userIds);
    server = await startTestServer({ seed: seed as never });
    from = await latestId(server);
    for (let i = 0; i < SAVES; i++)
      await save(
        server,
        userIds.map((UserId) => ({ UserId, Present: i % 2 === 0 })),
      );
  });
  after(() => server.close());

  it("9,000 missed changes (over 1 MiB) give a slow client resync and a snapshot, then live changes", async (t) => {
    assert.equal((await latestId(server)) - from, EXTRA_USERS * SAVES);
    const started = performance.now();
    const stream = await openStream(
      `${server.url}/api/v1/Presence/Stream`,
      { ...ADMIN, "Last-Event-ID": String(from) },
      { readAfterMs: 1_000 },
    );
    assert.equal((await stream.next(10_000)).event, "resync");
    const snapshot = await stream.next(10_000);
    assert.equal(snapshot.event, "snapshot");
    assert.equal(JSON.parse(snapshot.data).length, EXTRA_USERS + 4);
    t.diagnostic(
      `resync + snapshot (${snapshot.data.length} bytes) read ${Math.round(performance.now() - started)} ms after connecting (1,000 ms unread)`,
    );
    await save(server, [{ UserId: 883, Present: true }]);
    const change = await stream.next(5_000);
    assert.equal(change.event, "change");
    assert.equal(JSON.parse(change.data).UserId, 883);
    assert.equal(stream.ended, false);
    assert.equal(server.app.streams.dropped, 0);
    stream.close();
  });

  it("a replay under the limit reaches a slow client whole and in order, and it stays connected", async (t) => {
    const started = performance.now();
    let bytes = 0;
    const start = (await latestId(server)) - 4_000;
    const stream = await openStream(
      `${server.url}/api/v1/Presence/Stream`,
      { ...ADMIN, "Last-Event-ID": String(start) },
      { readAfterMs: 1_000 },
    );
    const ids: number[] = [];
    while (ids.length < 4_000) {
      const event = await stream.next(10_000);
      assert.equal(event.event, "change");
      bytes += event.data.length;
      ids.push(Number(event.id));
    }
    t.diagnostic(
      `4,000 changes (${bytes} bytes of data) replayed in ${Math.round(performance.now() - started)} ms (1,000 ms unread)`,
    );
    assert.equal(ids[0], start + 1);
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]));
    await save(server, [{ UserId: 883, Present: false }]);
    assert.equal(JSON.parse((await stream.next(5_000)).data).UserId, 883);
    assert.equal(server.app.streams.dropped, 0);
    stream.close();
  });
});

describe("a snapshot bigger than the buffer limit", () => {
  const USERS = 16_000;
  let server: TestServer;
  before(async () => {
    const ids = Array.from({ length: USERS }, (_, i) => 10_000 + i);
    server = await startTestServer({ seed: bulkSeed(ids) as never });
  });
  after(() => server.close());

  it("reaches a client that leaves it unread for a second while changes are made", async (t) => {
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN, {
      readAfterMs: 1_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 5; i++) await save(server, [{ UserId: 883, Present: i % 2 === 0 }]);
    const snapshot = await stream.next(10_000);
    assert.equal(snapshot.event, "snapshot");
    assert.ok(snapshot.data.length > 1024 * 1024, `${snapshot.data.length} bytes`);
    assert.equal(JSON.parse(snapshot.data).length, USERS + 4);
    const changes = [];
    for (let i = 0; i < 5; i++) changes.push(await stream.next(5_000));
    assert.deepEqual(
      changes.map((e) => [e.event, JSON.parse(e.data).UserId]),
      Array(5).fill(["change", 883]),
    );
    assert.equal(stream.ended, false);
    assert.equal(server.app.streams.dropped, 0);
    t.diagnostic(`snapshot of ${snapshot.data.length} bytes, 5 changes made while it was unread`);
    stream.close();
  });
});
