/** The session lists — ForCurrentUser and the OData lists. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN, OCON, ticketFor } from "./support/chat.ts";
import { testServerSuite } from "./support/server.ts";

describe("REST ChatSession lists", () => {
  const suite = testServerSuite();

  const ids = (reply: { body: { value: { chatSessionId: number }[] } }) =>
    reply.body.value.map((row) => row.chatSessionId);

  it("ForCurrentUser: sessions in the caller's topics and their own", async () => {
    const kuhn = await call(suite.server, KUHN, "GET", "/api/v1/ChatSession/ForCurrentUser");
    assert.deepEqual(
      kuhn.body.map((s: { ChatSessionId: number }) => s.ChatSessionId),
      [1, 2, 3, 4],
    );
    const ocon = await call(suite.server, OCON, "GET", "/api/v1/ChatSession/ForCurrentUser");
    assert.deepEqual(ocon.body, [], "a member without rights sees none");
  });

  it("GET /ChatSession: an OData slim list, all for administrators", async () => {
    const all = await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession");
    assert.deepEqual(ids(all), [1, 2, 3, 4]);
    assert.deepEqual(all.body.value[0], {
      ...all.body.value[0],
      PrimaryKey: 1,
      EntityName: "chatsession",
      status: "UserLast",
      associateName: "kuhn",
    });
    const queued = await call(
      suite.server,
      ADMIN,
      "GET",
      "/api/v1/ChatSession?$filter=status eq 'InQueue'",
    );
    assert.deepEqual(ids(queued), [4]);
    const sorted = await call(
      suite.server,
      ADMIN,
      "GET",
      "/api/v1/ChatSession?$orderBy=topicId,chatSessionId desc",
    );
    assert.deepEqual(ids(sorted), [4, 3, 2, 1]);
    const page = await call(
      suite.server,
      ADMIN,
      "GET",
      "/api/v1/ChatSession?$top=3&$select=chatSessionId",
    );
    assert.deepEqual(page.body.value[2], {
      PrimaryKey: 3,
      EntityName: "chatsession",
      chatSessionId: 3,
    });
    assert.match(page.body["odata.nextLink"], /\$skip=3|%24skip=3/);
    const last = await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession?$top=3&$skip=3");
    assert.deepEqual([ids(last), last.body["odata.nextLink"]], [[4], null]);
  });

  it("GET /ChatSession for agents lists what they may see; bad queries are 400", async () => {
    assert.deepEqual(ids(await call(suite.server, OCON, "GET", "/api/v1/ChatSession")), []);
    assertError(
      await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession?$filter=colour eq 'red'"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(
      await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession?$filter=status like 'x'"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(
      await call(suite.server, ADMIN, "GET", "/api/v1/ChatSession?$top=lots"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
  });

  it("GET /ChatTopic/{id}/Sessions: one topic's sessions, for its members", async () => {
    assert.deepEqual(
      ids(await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/574/Sessions")),
      [1, 2, 3],
    );
    assertError(
      await call(
        suite.server,
        await ticketFor(suite.server, 900),
        "GET",
        "/api/v1/ChatTopic/574/Sessions",
      ),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    assertError(
      await call(suite.server, OCON, "GET", "/api/v1/ChatTopic/574/Sessions"),
      403,
      "PRES_ERR_NOT_MEMBER", // a membership without any right is none
    );
    assertError(
      await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/999/Sessions"),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });
});
