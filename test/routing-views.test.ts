/**
 * What the dashboard reads about routing, over real HTTP: an agent's load against their chat
 * limits (GET /Routing/Load), and the routing event log over a time span (GET /Routing/Events)
 * with the stream's rights: admins every topic, others the topics they may follow.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN, OCON } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("routing views", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("Load: ongoing chats against the limit that binds, per topic and overall", async () => {
    // Kuhn has 2 ongoing chats and responds in 574 only; no limit is set yet.
    const unlimited = await call(server, KUHN, "GET", "/api/v1/Routing/Load");
    assert.equal(unlimited.status, 200, JSON.stringify(unlimited.body));
    assert.deepEqual(unlimited.body, {
      UserId: 883,
      OngoingChats: 2,
      MaxChats: 0,
      Limit: 0,
      Topics: [{ TopicId: 574, Limit: 0 }],
    });
    await call(server, ADMIN, "PUT", "/api/v1/ChatTopic/574/Routing", { MaxChatsPerAgent: 4 });
    assert.equal((await call(server, KUHN, "GET", "/api/v1/Routing/Load")).body.Limit, 4);
    const set = await call(server, ADMIN, "PUT", "/api/v1/ChatUser/883", { MaxChats: 3 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const both = (await call(server, KUHN, "GET", "/api/v1/Routing/Load")).body;
    assert.equal(both.MaxChats, 3);
    assert.equal(both.Limit, 3, "the smaller of the two binds");
    assert.deepEqual(both.Topics, [{ TopicId: 574, Limit: 3 }]);
    // Ocon responds nowhere: their own MaxChats (none) is all there is.
    const ocon = (await call(server, OCON, "GET", "/api/v1/Routing/Load")).body;
    assert.deepEqual([ocon.UserId, ocon.OngoingChats, ocon.Limit, ocon.Topics], [589, 0, 0, []]);
    assert.equal((await server.fetch("/api/v1/Routing/Load")).status, 401);
  });

  it("Events: since a time, a topic's only, paged by afterId, within the caller's topics", async () => {
    const start = Date.now();
    for (const topicId of [574, 128, 574])
      assert.equal(
        (await call(server, ADMIN, "POST", `/api/v1/ChatTopic/${topicId}/Sessions`)).status,
        200,
      );
    const read = async (auth: string, query: string) => {
      const reply = await call(server, auth, "GET", `/api/v1/Routing/Events?${query}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body as { Id: number; Type: string; TopicId: number; Position?: number }[];
    };
    type Event = Awaited<ReturnType<typeof read>>[number];
    const queued = (events: Event[]) => events.filter((e) => e.Type === "queued");
    const all = queued(await read(ADMIN, `since=${start}`));
    assert.deepEqual(
      all.map((e) => e.TopicId),
      [574, 128, 574],
    );
    const support = queued(await read(ADMIN, `since=${new Date(start).toISOString()}&topicId=574`));
    assert.deepEqual(
      support.map((e) => e.TopicId),
      [574, 574],
    );
    assert.ok(support.every((e) => typeof e.Position === "number" && e.Position >= 1));
    const firstPage = await read(ADMIN, `since=${start}&limit=1`);
    assert.equal(firstPage.length, 1);
    const rest = await read(ADMIN, `since=${start}&afterId=${firstPage[0].Id}`);
    assert.ok(rest.every((e) => e.Id > firstPage[0].Id));
    assert.deepEqual(await read(ADMIN, `since=${Date.now() + 60_000}`), []);
    // Kuhn follows 574 (responds) and 128 (listens); Ocon holds no right in either.
    assert.equal(queued(await read(KUHN, `since=${start}`)).length, 3);
    assert.deepEqual(await read(OCON, `since=${start}`), []);
    assertError(
      await call(server, OCON, "GET", "/api/v1/Routing/Events?topicId=574"),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    assertError(
      await call(server, ADMIN, "GET", "/api/v1/Routing/Events?since=yesterday"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
  });
});
