import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { basic, PASSWORD, startTestServer, type TestServer } from "./helpers.ts";
import { openStream } from "./sse-client.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0") };
const KUHN = { Authorization: basic("kuhn", PASSWORD) };

async function save(
  server: TestServer,
  headers: Record<string, string>,
  entries: { UserId: number; Present: boolean }[],
) {
  const response = await server.fetch("/api/v1/Presence/SaveAll", {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

describe("change stream", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("opens with a snapshot equal to GetAll, then streams each change with Previous", async () => {
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN);
    assert.equal(stream.status, 200);
    const snapshot = await stream.next();
    assert.equal(snapshot.event, "snapshot");
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.deepEqual(JSON.parse(snapshot.data), all);
    const started = Date.now();
    await save(server, KUHN, [{ UserId: 883, Present: true }]);
    const change = await stream.next();
    assert.ok(Date.now() - started < 1000);
    assert.equal(change.event, "change");
    const body = JSON.parse(change.data);
    assert.equal(body.UserId, 883);
    assert.equal(body.Present, true);
    assert.equal(body.Source, "api");
    assert.equal(body.ChangedBy, 883);
    assert.deepEqual(body.Previous, { Present: false, OngoingChats: 2, ChatTopics: [128, 574] });
    assert.equal(change.id, String(body.Version));
    stream.close();
  });

  it("filters by userId and topicId", async () => {
    const byUser = await openStream(`${server.url}/api/v1/Presence/Stream?userId=589`, ADMIN);
    const byTopic = await openStream(`${server.url}/api/v1/Presence/Stream?topicId=128`, ADMIN);
    assert.deepEqual(
      JSON.parse((await byUser.next()).data).map((p: { UserId: number }) => p.UserId),
      [589],
    );
    assert.deepEqual(
      JSON.parse((await byTopic.next()).data).map((p: { UserId: number }) => p.UserId),
      [883],
    );
    await save(server, ADMIN, [
      { UserId: 883, Present: false },
      { UserId: 589, Present: true },
    ]);
    assert.equal(JSON.parse((await byUser.next()).data).UserId, 589);
    assert.equal(JSON.parse((await byTopic.next()).data).UserId, 883);
    await assert.rejects(byUser.next(300), "no event for other users");
    byUser.close();
    byTopic.close();
  });

  it("resumes from Last-Event-ID without loss, and resyncs when the id is unknown", async () => {
    const first = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN);
    await first.next();
    await save(server, ADMIN, [{ UserId: 1, Present: true }]);
    const seen = await first.next();
    first.close();
    await save(server, ADMIN, [{ UserId: 1, Present: false }]);
    await save(server, ADMIN, [{ UserId: 589, Present: false }]);
    const resumed = await openStream(`${server.url}/api/v1/Presence/Stream`, {
      ...ADMIN,
      "Last-Event-ID": String(seen.id),
    });
    const missed = [await resumed.next(), await resumed.next()].map((e) => JSON.parse(e.data));
    assert.deepEqual(
      missed.map((e) => [e.UserId, e.Present]),
      [
        [1, false],
        [589, false],
      ],
    );
    resumed.close();
    const tooNew = await openStream(`${server.url}/api/v1/Presence/Stream`, {
      ...ADMIN,
      "Last-Event-ID": "99999999",
    });
    assert.equal((await tooNew.next()).event, "resync");
    assert.equal((await tooNew.next()).event, "snapshot");
    tooNew.close();
  });

  it("requires authentication and validates filters", async () => {
    assert.equal((await server.fetch("/api/v1/Presence/Stream")).status, 401);
    assert.equal(
      (await server.fetch("/api/v1/Presence/Stream?userId=abc", { headers: ADMIN })).status,
      400,
    );
  });
});

describe("history", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("logs every change with source and author; agents read only their own", async () => {
    await save(server, KUHN, [{ UserId: 883, Present: true }]);
    await save(server, ADMIN, [{ UserId: 589, Present: true }]);
    const all = await (await server.fetch("/api/v1/Presence/History", { headers: ADMIN })).json();
    const tail = all
      .slice(-2)
      .map((e: { UserId: number; ChangedBy: number; Source: string }) => [
        e.UserId,
        e.ChangedBy,
        e.Source,
      ]);
    assert.deepEqual(tail, [
      [883, 883, "api"],
      [589, 1, "api"],
    ]);
    const own = await (await server.fetch("/api/v1/Presence/History", { headers: KUHN })).json();
    assert.ok(own.length > 0 && own.every((e: { UserId: number }) => e.UserId === 883));
    assert.equal(
      (await server.fetch("/api/v1/Presence/History?userId=589", { headers: KUHN })).status,
      403,
    );
    const since = await (
      await server.fetch(
        `/api/v1/Presence/History?since=${new Date(Date.now() + 60_000).toISOString()}`,
        { headers: ADMIN },
      )
    ).json();
    assert.deepEqual(since, []);
    assert.equal(
      (await server.fetch("/api/v1/Presence/History?since=yesterday", { headers: ADMIN })).status,
      400,
    );
  });
});

describe("history retention", () => {
  it("purges entries older than the configured number of days, and keeps newer ones", async () => {
    const server = await startTestServer({ historyRetention: 2 });
    try {
      await save(server, ADMIN, [{ UserId: 589, Present: true }]);
      const history = server.services.history;
      assert.equal(await history.purgeExpired(Date.now() + 86_400_000), 0, "a day later: kept");
      assert.ok(
        (await history.purgeExpired(Date.now() + 3 * 86_400_000)) > 0,
        "three days later: purged",
      );
      const left = await (
        await server.fetch("/api/v1/Presence/History", { headers: ADMIN })
      ).json();
      assert.deepEqual(left, []);
    } finally {
      await server.close();
    }
  });
});

describe("heartbeat expiry", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ presenceTtl: 1 });
  });
  after(() => server.close());

  it("lapses an unrenewed Present=true within a second of its deadline, source expiry", async () => {
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream?userId=883`, ADMIN);
    await stream.next();
    await save(server, KUHN, [{ UserId: 883, Present: true }]);
    const savedAt = Date.now();
    assert.equal(JSON.parse((await stream.next()).data).Present, true);
    const lapse = JSON.parse((await stream.next(3000)).data);
    const elapsed = Date.now() - savedAt;
    assert.equal(lapse.Present, false);
    assert.equal(lapse.Source, "expiry");
    assert.equal(lapse.ChangedBy, null);
    assert.ok(elapsed >= 1000 && elapsed < 2000, `lapsed after ${elapsed} ms`);
    stream.close();
  });

  it("a heartbeat keeps presence alive; an agent may not renew someone else", async () => {
    await save(server, KUHN, [{ UserId: 883, Present: true }]);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const beat = await server.fetch("/api/v1/Presence/Heartbeat", {
        method: "POST",
        headers: KUHN,
      });
      assert.equal(beat.status, 204);
    }
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 883).Present, true);
    const other = await server.fetch("/api/v1/Presence/Heartbeat", {
      method: "POST",
      headers: { ...KUHN, "Content-Type": "application/json" },
      body: JSON.stringify({ UserId: 589 }),
    });
    assert.equal(other.status, 403);
  });

  it("never turns a Present=false back on", async () => {
    await save(server, KUHN, [{ UserId: 883, Present: false }]);
    await new Promise((r) => setTimeout(r, 1300));
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 883).Present, false);
  });
});

describe("a user's own heartbeat TTL", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(); // no server-wide --presence-ttl
  });
  after(() => server.close());

  it("set through ChatUser, lapses that user only; 0 returns them to the server default", async () => {
    const put = (id: number, ttl: number) =>
      server.fetch(`/api/v1/ChatUser/${id}`, {
        method: "PUT",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify({ PresenceTtl: ttl }),
      });
    const response = await put(883, 1);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).PresenceTtl, 1);
    assert.equal((await put(883, -5)).status, 400);
    await save(server, ADMIN, [
      { UserId: 883, Present: true },
      { UserId: 589, Present: true },
    ]);
    await new Promise((r) => setTimeout(r, 1800));
    let all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    const present = (id: number) => all.find((p: { UserId: number }) => p.UserId === id).Present;
    assert.equal(present(883), false, "883 had a 1 s TTL");
    assert.equal(present(589), true, "589 has no TTL");
    assert.equal((await (await put(883, 0)).json()).PresenceTtl, 0);
    await save(server, ADMIN, [{ UserId: 883, Present: true }]);
    await new Promise((r) => setTimeout(r, 1300));
    all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(present(883), true, "back on the server default: no expiry");
  });

  it("can be given in the import file", async () => {
    await server.services.directory.importSeed({
      users: [
        {
          id: 950,
          username: "short",
          displayName: "Short",
          role: "agent",
          present: false,
          password: null,
          passwordHash: null,
          presenceTtl: 30,
        },
      ],
      topics: [],
      members: [],
      sessions: [],
      appTokens: [],
    });
    assert.equal((await server.store.getUser(950))?.presenceTtl, 30);
  });
});
