/**
 * GET /api/v1/ChatSession/{id}/Stream (extension): a session's messages as SSE, stored ones
 * first, then each new one posted through REST or Agents, resumable with Last-Event-ID, in the
 * hub's stream limits; and across two PostgreSQL nodes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, agents, assertError, call, KUHN, OCON } from "./support/chat.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { openStream, type SseStream } from "./support/sse-client.ts";

const skipPostgres = await announceSkip("chat session stream across nodes");

const streamOf = (server: TestServer, id: number, query = "") =>
  `${server.url}/api/v1/ChatSession/${id}/Stream${query}`;

async function post(server: TestServer, id: number, message: string) {
  const reply = await call(server, ADMIN, "POST", `/api/v1/ChatSession/${id}/Messages`, {
    Type: "ToUser",
    Message: message,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.ChatMessageId as number;
}

/** Every stored message id of a session, paged through GET …/Messages as a client would. */
async function storedIds(server: TestServer, id: number): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const reply = await call(
      server,
      ADMIN,
      "GET",
      `/api/v1/ChatSession/${id}/Messages?after=${ids.at(-1) ?? 0}`,
    );
    if (reply.body.length === 0) return ids;
    ids.push(...reply.body.map((m: { ChatMessageId: number }) => m.ChatMessageId));
  }
}

/** The next `count` events' ids and texts. */
async function take(stream: SseStream, count: number) {
  const got: { event: string; id: number; message: string; sessionId: number }[] = [];
  for (let i = 0; i < count; i++) {
    const event = await stream.next(10_000);
    const data = JSON.parse(event.data);
    assert.equal(Number(event.id), data.ChatMessageId, "the SSE id is the ChatMessageId");
    got.push({
      event: event.event,
      id: data.ChatMessageId,
      message: data.Message,
      sessionId: data.ChatSessionId,
    });
  }
  return got;
}

describe("the session message stream", () => {
  let server: TestServer;
  const open: SseStream[] = [];
  before(async () => {
    server = await startTestServer({ streamsPerUser: 2, messagesPage: 2 });
  });
  after(async () => {
    for (const stream of open) stream.close();
    await server.close();
  });
  const stream = async (id: number, headers: Record<string, string> = {}, query = "") => {
    const opened = await openStream(streamOf(server, id, query), {
      Authorization: KUHN,
      ...headers,
    });
    open.push(opened);
    return opened;
  };

  it("sends the stored messages, then those posted through REST and Agents, each once", async () => {
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const stored = [
      await post(server, id, "one"),
      await post(server, id, "two"),
      await post(server, id, "three"),
    ];
    const live = await stream(id);
    assert.equal(live.status, 200);
    const first = await take(live, 3);
    assert.deepEqual(
      first.map((e) => [e.event, e.id, e.message, e.sessionId]),
      stored.map((m, i) => ["message", m, ["one", "two", "three"][i], id]),
    );
    await post(server, id, "four");
    await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`);
    const viaAgents = await agents(server, KUHN, "AddChatMessage", {
      ChatSessionId: id,
      Message: { Type: "ToCustomer", Message: "five" },
    });
    assert.equal(viaAgents.status, 200);
    const next = await take(live, 2);
    assert.deepEqual(
      next.map((e) => e.message),
      ["four", "five"],
    );
    assert.equal(next[1].id, viaAgents.body.ChatMessageId);
    live.close();
  });

  it("resumes after Last-Event-ID (or ?after=) without repeating or missing one", async () => {
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const ids = [
      await post(server, id, "a"),
      await post(server, id, "b"),
      await post(server, id, "c"),
    ];
    const resumed = await stream(id, { "Last-Event-ID": String(ids[0]) }, "?after=0");
    assert.deepEqual(
      (await take(resumed, 2)).map((e) => e.id),
      ids.slice(1),
    );
    resumed.close();
    const fromQuery = await stream(id, {}, `?after=${ids[1]}`);
    assert.deepEqual(
      (await take(fromQuery, 1)).map((e) => e.id),
      [ids[2]],
    );
    const later = await post(server, id, "d");
    assert.deepEqual(
      (await take(fromQuery, 1)).map((e) => e.id),
      [later],
    );
    fromQuery.close();
  });

  it("a stream opened while messages are being posted gets each stored message once, in order", async () => {
    for (let round = 0; round < 10; round++) {
      const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
      const id = created.body.ChatSessionId;
      await post(server, id, "before");
      // The stream's backlog (two a page) and its live part race the posts.
      const posting = Promise.all(Array.from({ length: 6 }, (_, i) => post(server, id, `r${i}`)));
      const live = await stream(id);
      await posting;
      const got = await take(live, 7);
      const all = await storedIds(server, id);
      assert.equal(all.length, 7);
      assert.deepEqual(
        got.map((e) => e.id),
        all,
        `round ${round}`,
      );
      await assert.rejects(live.next(300), /no SSE event/, "nothing twice");
      live.close();
    }
  });

  it("is refused like every route: no sign-in 401, no rights 403, no session 404, bad after 400", async () => {
    const none = await server.fetch("/api/v1/ChatSession/1/Stream");
    assert.equal(none.status, 401);
    await none.arrayBuffer();
    const refusals: [string, string, number, string][] = [
      [OCON, "1/Stream", 403, "PRES_ERR_SESSION_ACCESS"],
      [KUHN, "999/Stream", 404, "PRES_ERR_NO_SESSION"],
      [KUHN, "1/Stream?after=-1", 400, "PRES_ERR_BAD_QUERY"],
    ];
    for (const [who, path, status, code] of refusals) {
      assertError(await call(server, who, "GET", `/api/v1/ChatSession/${path}`), status, code);
    }
  });

  it("counts in the same per-user limit as the presence stream; a closed one frees its place", async () => {
    const presence = await openStream(`${server.url}/api/v1/Presence/Stream`, {
      Authorization: KUHN,
    });
    open.push(presence);
    assert.equal(presence.status, 200);
    const session = await stream(1);
    assert.equal(session.status, 200);
    assertError(
      await call(server, KUHN, "GET", "/api/v1/ChatSession/1/Stream"),
      429,
      "PRES_ERR_STREAMS_PER_USER",
    );
    assertError(
      await call(server, KUHN, "GET", "/api/v1/Presence/Stream"),
      429,
      "PRES_ERR_STREAMS_PER_USER",
    );
    session.close();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const again = await openStream(streamOf(server, 1), { Authorization: KUHN });
      open.push(again);
      if (again.status === 200) break;
      assert.ok(Date.now() < deadline, "the closed stream gave its place back");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    presence.close();
  });
});

describe("the session message stream at shutdown", () => {
  it("is ended by the server's shutdown like every change stream", async () => {
    // A stream the shutdown did not end itself would be cut only after shutdownTimeoutMs.
    const server = await startTestServer({ shutdownTimeoutMs: 8000 });
    const live = await openStream(streamOf(server, 1), { Authorization: KUHN });
    assert.equal(live.status, 200);
    const closing = server.close();
    const deadline = Date.now() + 3000;
    while (!live.ended) {
      assert.ok(Date.now() < deadline, "the stream ended before the shutdown timeout");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await closing;
  });
});

describe("the session message stream across two PostgreSQL nodes", { skip: skipPostgres }, () => {
  const scratch = scratchSchema();
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ db: scratch.url });
    b = await startTestServer({ db: scratch.url });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await scratch.drop();
  });

  it("a stream on one node gets what is posted on the other, in id order", async () => {
    const created = await call(a, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const live = await openStream(streamOf(a, id), { Authorization: KUHN });
    try {
      assert.equal(live.status, 200);
      const posted: number[] = [];
      for (let i = 0; i < 10; i++) posted.push(await post(i % 2 ? a : b, id, `m${i}`));
      assert.deepEqual(
        (await take(live, 10)).map((e) => e.id),
        posted,
      );
    } finally {
      live.close();
    }
  });
});
