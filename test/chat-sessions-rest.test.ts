/** REST /api/v1/ChatSession — the entity, saving by the status table, lists. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN, OCON, presenceOf, ticketFor } from "./support/chat.ts";
import { testServerSuite } from "./support/server.ts";

describe("REST ChatSession entity", () => {
  const suite = testServerSuite();

  it("GET default gives an unsaved queued session", async () => {
    const reply = await call(suite.server, KUHN, "GET", "/api/v1/ChatSession/default");
    assert.deepEqual(
      [reply.status, reply.body.ChatSessionId, reply.body.Status],
      [200, 0, "InQueue"],
    );
    assert.equal(reply.body.User, null);
  });

  it("creates a session for a topic: queued, with its queue position; presence unchanged", async () => {
    const reply = await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/128/Sessions");
    assert.equal(reply.status, 200);
    assert.deepEqual(
      [reply.body.TopicId, reply.body.Status, reply.body.InitialQueuePos],
      [128, "InQueue", 2],
    );
    assert.ok(Date.parse(reply.body.WhenRequested) > Date.now() - 60_000);
    assert.equal((await presenceOf(suite.server, 883)).OngoingChats, 2);
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/999/Sessions"),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });

  it("creates a session from an entity, in the queue or another pre-chat status", async () => {
    const reply = await call(suite.server, OCON, "POST", "/api/v1/ChatSession", {
      TopicId: 574,
      CustomerName: "Ada",
      CustomerEmail: "ada@example.com",
      FirstMessage: "Hi",
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body._Links.Self, `/api/v1/ChatSession/${reply.body.ChatSessionId}`);
    assert.deepEqual(
      [reply.body.Status, reply.body.CustomerName, reply.body.FirstMessage],
      ["InQueue", "Ada", "Hi"],
    );
    const form = await call(suite.server, OCON, "POST", "/api/v1/ChatSession", {
      TopicId: 574,
      Status: "PreChatForm",
    });
    assert.deepEqual([form.body.Status, form.body.InitialQueuePos], ["PreChatForm", 0]);
  });

  it("refuses entities that cannot be created", async () => {
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", { CustomerName: "x" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", {
        TopicId: 574,
        User: { AssociateId: 883 },
      }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", {
        TopicId: 574,
        Status: "UserLast",
      }),
      409,
      "PRES_ERR_STATUS_TRANSITION",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", {
        TopicId: 574,
        Status: "Chatting",
      }),
      400,
      "PRES_ERR_BAD_STATUS",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", { TopicId: "574x" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession", { TopicId: 999 }),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });

  it("reads a session for its user and topic members; 403 for others, 404 when missing", async () => {
    const reply = await call(suite.server, KUHN, "GET", "/api/v1/ChatSession/1");
    assert.deepEqual(
      [reply.status, reply.body.User.AssociateId, reply.body.Status],
      [200, 883, "UserLast"],
    );
    assert.equal(reply.body.User.Name, "kuhn");
    assertError(
      await call(suite.server, OCON, "GET", "/api/v1/ChatSession/1"),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
    assertError(
      await call(suite.server, KUHN, "GET", "/api/v1/ChatSession/999"),
      404,
      "PRES_ERR_NO_SESSION",
    );
    assertError(
      await call(suite.server, KUHN, "GET", "/api/v1/ChatSession/1.5"),
      400,
      "PRES_ERR_BAD_PATH",
    );
  });

  it("saves by the status table; WhenEnded is set and OngoingChats drops on finishing", async () => {
    const finished = await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/2", {
      Status: "Finished",
      CustomerName: "Bob",
      Rating: 5,
    });
    assert.equal(finished.status, 200, JSON.stringify(finished.body));
    assert.deepEqual(
      [finished.body.Status, finished.body.CustomerName, finished.body.Rating],
      ["Finished", "Bob", 5],
    );
    assert.ok(finished.body.WhenEnded);
    assert.equal((await presenceOf(suite.server, 883)).OngoingChats, 1);
    const again = await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/2", {
      LastMessage: "Bye",
    });
    assert.deepEqual(
      [again.body.CustomerName, again.body.LastMessage],
      ["Bob", "Bye"],
      "left out: kept",
    );
    const back = await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/2", {
      Status: "UserLast",
    });
    assertError(back, 409, "PRES_ERR_STATUS_TRANSITION");
    assert.match(back.body.ErrorMessage, /from Finished to UserLast/);
  });

  it("refuses a save that moves the session, comes from a stranger or has bad values", async () => {
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/1", { TopicId: 128 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, OCON, "PUT", "/api/v1/ChatSession/1", { LastMessage: "x" }),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/1", { Rating: "high" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/1", { Status: 42 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/999", { Status: "Closed" }),
      404,
      "PRES_ERR_NO_SESSION",
    );
  });

  it("lets only managers and administrators hand a chat to someone who can respond", async () => {
    const tick = await ticketFor(suite.server, 900);
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatSession/1", { User: { AssociateId: 1 } }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(
      await call(suite.server, ADMIN, "PUT", "/api/v1/ChatSession/1", {
        User: { AssociateId: 589 },
      }),
      400,
      "PRES_ERR_CANNOT_RESPOND",
    );
    const moved = await call(suite.server, ADMIN, "PUT", "/api/v1/ChatSession/1", {
      User: { AssociateId: 1 },
    });
    assert.equal(moved.body.User.AssociateId, 1, "an administrator can respond anywhere");
    assert.equal((await presenceOf(suite.server, 883)).OngoingChats, 0);
    assert.equal((await presenceOf(suite.server, 1)).OngoingChats, 1);
    assertError(
      await call(suite.server, tick, "GET", "/api/v1/ChatSession/1"),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
  });

  it("deletes sessions for managers and administrators only", async () => {
    assertError(
      await call(suite.server, KUHN, "DELETE", "/api/v1/ChatSession/3"),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assert.equal((await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatSession/1")).status, 204);
    assert.equal((await presenceOf(suite.server, 1)).OngoingChats, 0);
    assertError(
      await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatSession/1"),
      404,
      "PRES_ERR_NO_SESSION",
    );
  });
});
