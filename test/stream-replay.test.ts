/**
 * Resuming a change stream with Last-Event-ID, over real HTTP: the replay carries what the live
 * stream would have carried (same filter), reaches back no further than the resume window for
 * non-admins, and a replay too big to send at once becomes resync + snapshot without the
 * client being dropped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { matches } from "../src/domain/stream-filter.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { basic, PASSWORD, startTestServer, type TestServer, testSeed } from "./support/server.ts";
import { openStream, type SseEvent, type SseStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0") };
const KUHN = { Authorization: basic("kuhn", PASSWORD) };

interface Change {
  Id: number;
  UserId: number;
  Present: boolean;
  ChatTopics: number[];
  Previous: { ChatTopics: number[] } | null;
}

async function save(server: TestServer, entries: { UserId: number; Present: boolean }[]) {
  const response = await server.fetch("/api/v1/Presence/SaveAll", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

/** Every change in the log, as an admin reads it. */
async function allHistory(server: TestServer): Promise<Change[]> {
  const response = await server.fetch("/api/v1/Presence/History?limit=10000", { headers: ADMIN });
  assert.equal(response.status, 200);
  return response.json();
}

/** The newest event id: a fresh stream's snapshot carries it. */
async function latestId(server: TestServer): Promise<number> {
  const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN);
  const snapshot = await stream.next(5_000);
  stream.close();
  assert.equal(snapshot.event, "snapshot");
  return Number(snapshot.id);
}

/** Reads events until none comes for `quietMs`. */
async function drain(stream: SseStream, quietMs = 400): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (;;) {
    try {
      events.push(await stream.next(quietMs));
    } catch {
      return events;
    }
  }
}

async function resume(server: TestServer, path: string, headers: object, lastEventId: number) {
  return openStream(`${server.url}${path}`, {
    ...(headers as Record<string, string>),
    "Last-Event-ID": String(lastEventId),
  });
}

const skipPostgres = await announceSkip("stream replay");

/** The filter and window rules hold on both stores: one store is SQLite, the other PostgreSQL. */
const STORES = [
  { store: "SQLite", skip: false, open: () => ({ db: undefined, drop: async () => undefined }) },
  {
    store: "PostgreSQL",
    skip: skipPostgres,
    open: () => {
      const schema = scratchSchema();
      return { db: schema.url, drop: schema.drop };
    },
  },
];

for (const { store, skip, open } of STORES) {
  describe(`stream replay honours the live stream's filter (${store})`, { skip }, () => {
    let server: TestServer;
    const { db, drop } = open();
    before(async () => {
      server = await startTestServer(db ? { db } : {});
      await save(server, [
        { UserId: 1, Present: true },
        { UserId: 589, Present: true },
        { UserId: 900, Present: true },
        { UserId: 883, Present: true },
      ]);
      await save(server, [
        { UserId: 589, Present: false },
        { UserId: 1, Present: false },
      ]);
    });
    after(async () => {
      await server.close();
      await drop();
    });

    it("an agent refused another user's history gets no other user's change by resuming", async () => {
      const history = await server.fetch("/api/v1/Presence/History?userId=1", { headers: KUHN });
      assert.equal(history.status, 403);
      const stream = await resume(server, "/api/v1/Presence/Stream?userId=589", KUHN, 0);
      assert.equal(stream.status, 200);
      const replay = (await drain(stream)).map((e) => ({ event: e.event, ...JSON.parse(e.data) }));
      stream.close();
      const everything = await allHistory(server);
      const expected = everything.filter((change) => change.UserId === 589);
      assert.ok(expected.length >= 2 && expected.length < everything.length);
      assert.deepEqual(
        replay.map((e) => [e.event, e.Version]),
        expected.map((change) => ["change", change.Id]),
      );
    });

    it("a topic filter replays exactly the changes the live stream would carry", async () => {
      const expected = (await allHistory(server))
        .filter((change) => matches({ topicId: 574 }, change as never))
        .map((change) => change.Id);
      assert.ok(expected.length > 0 && expected.length < 6, "the filter leaves some out");
      const stream = await resume(server, "/api/v1/Presence/Stream?topicId=574", KUHN, 0);
      const ids = (await drain(stream)).map((e) => Number(e.id));
      stream.close();
      assert.deepEqual(ids, expected);
    });
  });

  describe(`stream resume window (${store})`, { skip }, () => {
    let server: TestServer;
    const { db, drop } = open();
    before(async () => {
      server = await startTestServer({
        ...(db ? { db } : {}),
        streamResumeEvents: 5,
        streamResumeWindowMs: 2_000,
      });
    });
    after(async () => {
      await server.close();
      await drop();
    });

    async function toggle(times: number) {
      for (let i = 0; i < times; i++) await save(server, [{ UserId: 900, Present: i % 2 === 0 }]);
    }

    it("an agent further back than the event window gets resync and a snapshot; an admin the replay", async () => {
      const from = await latestId(server);
      await toggle(8);
      const agent = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(agent)).map((e) => e.event),
        ["resync", "snapshot"],
      );
      agent.close();
      const near = await resume(
        server,
        "/api/v1/Presence/Stream",
        KUHN,
        (await latestId(server)) - 3,
      );
      assert.deepEqual(
        (await drain(near)).map((e) => e.event),
        ["change", "change", "change"],
      );
      near.close();
      const admin = await resume(server, "/api/v1/Presence/Stream", ADMIN, from);
      assert.equal((await drain(admin)).filter((e) => e.event === "change").length, 8);
      admin.close();
    });

    it("an agent whose missed changes are older than the time window gets resync and a snapshot", async () => {
      const from = await latestId(server);
      await toggle(1);
      const fresh = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(fresh)).map((e) => e.event),
        ["change"],
      );
      fresh.close();
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      const stale = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(stale)).map((e) => e.event),
        ["resync", "snapshot"],
      );
      stale.close();
      const admin = await resume(server, "/api/v1/Presence/Stream", ADMIN, from);
      assert.deepEqual(
        (await drain(admin)).map((e) => e.event),
        ["change"],
      );
      admin.close();
    });
  });
}

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
