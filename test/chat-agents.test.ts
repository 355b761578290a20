/**
 * The Agents/Chat operations on topics and sessions. No HTTP semantics here: a
 * missing entity (or a session someone else took) is null; rights failures are 403 as on REST.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ADMIN,
  agents,
  assertError,
  call,
  grant,
  KUHN,
  OCON,
  presenceOf,
  ticketFor,
} from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("Agents/Chat topics", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("creates a default, saves it as new (id 0), updates it and reads it back", async () => {
    const fresh = await agents(server, ADMIN, "CreateDefaultChatTopicEntity");
    assert.deepEqual([fresh.status, fresh.body.ChatTopicId], [200, 0]);
    const created = await agents(server, ADMIN, "SaveChatTopicEntity", {
      ...fresh.body,
      Name: "Returns",
    });
    assert.equal(created.status, 200);
    const id = created.body.ChatTopicId;
    assert.ok(id > 0);
    assert.equal(created.body._Links, undefined, "Agents carriers have no links");
    const saved = await agents(server, ADMIN, "SaveChatTopicEntity", {
      ChatTopicId: id,
      WelcomeMessage: "Hi",
    });
    assert.deepEqual([saved.body.Name, saved.body.WelcomeMessage], ["Returns", "Hi"]);
    const read = await agents(
      server,
      ADMIN,
      "GetChatTopicEntity",
      undefined,
      `?chatTopicEntityId=${id}`,
    );
    assert.deepEqual(read.body, saved.body);
    const deleted = await agents(
      server,
      ADMIN,
      "DeleteChatTopicEntity",
      undefined,
      `?ChatTopicEntityId=${id}`,
    );
    assert.equal(deleted.status, 204);
  });

  it("answers null for a missing topic; deleting one is still 204", async () => {
    const missing = await agents(
      server,
      ADMIN,
      "GetChatTopicEntity",
      undefined,
      "?chatTopicEntityId=999",
    );
    assert.deepEqual([missing.status, missing.body], [200, null]);
    const saved = await agents(server, ADMIN, "SaveChatTopicEntity", {
      ChatTopicId: 999,
      Name: "x",
    });
    assert.deepEqual([saved.status, saved.body], [200, null]);
    assert.equal(
      (await agents(server, ADMIN, "DeleteChatTopicEntity", undefined, "?chatTopicEntityId=999"))
        .status,
      204,
    );
  });

  it("refuses rights failures with 403 and bad input with 400", async () => {
    assertError(
      await agents(server, KUHN, "SaveChatTopicEntity", { ChatTopicId: 0, Name: "x" }),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
    assertError(
      await agents(server, KUHN, "SaveChatTopicEntity", { ChatTopicId: 574, Name: "x" }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(
      await agents(server, KUHN, "DeleteChatTopicEntity", undefined, "?chatTopicEntityId=574"),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(
      await agents(server, OCON, "GetChatTopicEntity", undefined, "?chatTopicEntityId=574"),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    assertError(await agents(server, ADMIN, "GetChatTopicEntity"), 400, "PRES_ERR_BAD_QUERY");
    assertError(
      await agents(server, ADMIN, "GetChatTopicEntity", undefined, "?chatTopicEntityId=x"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(
      await agents(server, ADMIN, "SaveChatTopicEntity", { ChatTopicId: "one" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });

  it("lists the caller's topics and the users that can be assigned", async () => {
    const mine = await agents(server, KUHN, "ChatTopicsForUser");
    assert.deepEqual(
      mine.body.map((t: { ChatTopicId: number }) => t.ChatTopicId),
      [128, 574],
    );
    const users = await agents(server, KUHN, "GetUserAgentList", {
      Flat: true,
      OnlyPresent: false,
    });
    assert.equal(users.body.length, 4);
    const grouped = await agents(server, KUHN, "GetUserAgentList", {
      Flat: false,
      OnlyPresent: false,
    });
    assert.deepEqual(
      grouped.body.map((g: { Type: string }) => g.Type),
      ["usergroup", "usergroup"],
    );
  });

  it("is POST only: other verbs are 405 with Allow", async () => {
    for (const name of ["GetChatTopicEntity", "PickUpChatSession", "IsWithinOpeningHours"]) {
      const reply = await call(server, ADMIN, "GET", `/api/v1/Agents/Chat/${name}`);
      assertError(reply, 405, "PRES_ERR_METHOD");
      assert.equal(reply.headers.get("allow"), "POST");
    }
  });
});

describe("Agents/Chat sessions", () => {
  let server: TestServer;
  let tick: string;
  before(async () => {
    server = await startTestServer();
    tick = await ticketFor(server, 900);
    await grant(server, 574, "tick", { CanRespond: true });
  });
  after(() => server.close());

  it("creates a session for a topic (null for no such topic) and reads it", async () => {
    const created = await agents(server, OCON, "CreateChatSessionForTopic", { ChatTopicId: 574 });
    assert.deepEqual([created.status, created.body.Status], [200, "InQueue"]);
    const read = await agents(
      server,
      KUHN,
      "GetChatSessionEntity",
      undefined,
      `?chatSessionEntityId=${created.body.ChatSessionId}`,
    );
    assert.equal(read.body.ChatSessionId, created.body.ChatSessionId);
    assert.equal(
      (await agents(server, OCON, "CreateChatSessionForTopic", { ChatTopicId: 999 })).body,
      null,
    );
    assert.equal(
      (await agents(server, KUHN, "GetChatSessionEntity", undefined, "?chatSessionEntityId=999"))
        .body,
      null,
    );
    assertError(
      await agents(server, OCON, "GetChatSessionEntity", undefined, "?chatSessionEntityId=1"),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
  });

  it("saves a new session (id 0) and an existing one", async () => {
    const created = await agents(server, OCON, "SaveChatSessionEntity", {
      ChatSessionId: 0,
      TopicId: 574,
      CustomerName: "Eve",
    });
    assert.deepEqual([created.body.Status, created.body.CustomerName], ["InQueue", "Eve"]);
    const saved = await agents(server, KUHN, "SaveChatSessionEntity", {
      ChatSessionId: 2,
      Status: "UserLast",
      LastMessage: "Ok",
    });
    assert.deepEqual([saved.body.Status, saved.body.LastMessage], ["UserLast", "Ok"]);
    assertError(
      await agents(server, KUHN, "SaveChatSessionEntity", { ChatSessionId: 3, Status: "InQueue" }),
      409,
      "PRES_ERR_STATUS_TRANSITION",
    );
    assert.equal(
      (
        await agents(server, KUHN, "SaveChatSessionEntity", {
          ChatSessionId: 999,
          Status: "Closed",
        })
      ).body,
      null,
    );
  });

  it("picks up by id: the winner gets the session, a late caller gets null", async () => {
    const id = (await agents(server, OCON, "CreateChatSessionForTopic", { ChatTopicId: 574 })).body
      .ChatSessionId;
    assertError(
      await agents(server, OCON, "PickUpChatSession", { ChatSessionId: id }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    const won = await agents(server, tick, "PickUpChatSession", { ChatSessionId: id });
    assert.equal(won.body.User.Name, "tick");
    const late = await agents(server, KUHN, "PickUpChatSession", { ChatSessionId: id });
    assert.deepEqual([late.status, late.body], [200, null]);
    assert.equal((await presenceOf(server, 900)).OngoingChats, 1);
  });

  it("picks up the first queued session, null when none waits", async () => {
    const first = await agents(server, KUHN, "PickUpFirstChatSession");
    assert.equal(first.body.User.Name, "kuhn");
    const rest = await agents(server, KUHN, "PickUpFirstChatSession");
    assert.equal(rest.body.ChatSessionId > first.body.ChatSessionId, true);
    assert.equal((await agents(server, KUHN, "PickUpFirstChatSession")).body, null);
  });

  it("transfers, accepts, rejects and resets", async () => {
    const offered = await agents(server, KUHN, "TransferChatSession", {
      ChatSessionId: 1,
      ToAssociate: "tick",
    });
    assert.equal(offered.body.TransferTo.Name, "tick");
    const nobody = await agents(server, KUHN, "TransferChatSession", {
      ChatSessionId: 2,
      ToAssociate: "ghost",
    });
    assert.deepEqual([nobody.status, nobody.body], [200, null], "no such user: null");
    assertError(
      await agents(server, KUHN, "TransferChatSession", { ChatSessionId: 2, ToAssociate: "ocon" }),
      400,
      "PRES_ERR_CANNOT_RESPOND",
    );
    assert.equal(
      (await agents(server, KUHN, "AcceptChatSessionTransfer", { ChatSessionId: 1 })).body,
      null,
    );
    const accepted = await agents(server, tick, "AcceptChatSessionTransfer", { ChatSessionId: 1 });
    assert.equal(accepted.body.User.Name, "tick");
    await agents(server, tick, "TransferChatSession", { ChatSessionId: 1, ToAssociate: "883" });
    const rejected = await agents(server, KUHN, "RejectChatSessionTransfer", { ChatSessionId: 1 });
    assert.deepEqual([rejected.body.User.Name, rejected.body.TransferTo], ["tick", null]);
    const reset = await agents(server, tick, "ResetChatSession", { ChatSessionId: 1 });
    assert.deepEqual([reset.body.Status, reset.body.User], ["InQueue", null]);
    assert.equal(
      (await agents(server, ADMIN, "ResetChatSession", { ChatSessionId: 1 })).body,
      null,
      "not ongoing",
    );
    assertError(
      await agents(server, OCON, "ResetChatSession", { ChatSessionId: 2 }),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
  });

  it("lists the caller's sessions", async () => {
    const mine = await agents(server, tick, "ChatSessionsForUser");
    assert.ok(mine.body.every((s: { TopicId: number }) => s.TopicId === 574));
    assert.deepEqual((await agents(server, OCON, "ChatSessionsForUser")).body, []);
  });

  it("refuses bodies with wrong types", async () => {
    assertError(
      await agents(server, KUHN, "PickUpChatSession", { ChatSessionId: "one" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await agents(server, KUHN, "PickUpChatSession", "not json"),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await agents(server, KUHN, "TransferChatSession", { ChatSessionId: 1, ToAssociate: 5 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });
});
