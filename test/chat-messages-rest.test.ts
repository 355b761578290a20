/**
 * Chat messages over real HTTP: REST …/ChatSession/{id}/Messages and Agents AddChatMessage /
 * GetChatMessages, on SQLite and PostgreSQL: posting, paging, the session's status, rights,
 * missing and closed sessions. The seed is described in test/support/chat-messages-http.ts.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ADMIN, agents, assertError, call, KUHN, OCON, presenceOf } from "./support/chat.ts";
import { describeMessagesHttp, messagesOf } from "./support/chat-messages-http.ts";

describeMessagesHttp("chat messages over HTTP", (server) => {
  /** A post refused alike on REST and on Agents (Agents posting as `agentsType`). */
  async function assertPostRefused(
    who: string,
    sessionId: number,
    agentsType: string,
    status: number,
    code: string,
  ): Promise<void> {
    const rest = { Type: "ToCustomer", Message: "x" };
    assertError(await call(server(), who, "POST", messagesOf(sessionId), rest), status, code);
    const message = { Type: agentsType, Message: "x" };
    const viaAgents = await agents(server(), who, "AddChatMessage", {
      ChatSessionId: sessionId,
      Message: message,
    });
    assertError(viaAgents, status, code);
  }

  it("posts a message and answers it as the ChatMessage stored; the session moves", async () => {
    const before = Date.now();
    const posted = await call(server(), KUHN, "POST", messagesOf(2), {
      Type: "ToCustomer",
      Message: "How can I help?",
      ChatSessionId: 999,
      ChatMessageId: 77,
    });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const m = posted.body;
    assert.deepEqual(Object.keys(m), [
      "ChatMessageId",
      "ChatSessionId",
      "Type",
      "Message",
      "Author",
      "ReadByCustomer",
      "SpecialType",
      "SpecialParam",
      "WhenPosted",
    ]);
    assert.ok(m.ChatMessageId > 0 && m.ChatMessageId !== 77, "the id is the server's");
    assert.deepEqual(
      [m.ChatSessionId, m.Type, m.Message, m.Author, m.ReadByCustomer, m.SpecialType],
      [2, "ToCustomer", "How can I help?", "User kuhn", 0, "None"],
    );
    assert.ok(Date.parse(m.WhenPosted) >= before - 1000);
    const session = await call(server(), KUHN, "GET", "/api/v1/ChatSession/2");
    assert.deepEqual(
      [session.body.Status, session.body.LastMessage, session.body.WhenIdle],
      ["UserLast", "How can I help?", m.WhenPosted],
    );
    const answer = await call(server(), KUHN, "POST", messagesOf(2), {
      Type: 2,
      Message: "My order",
      Author: "Ada",
    });
    assert.deepEqual([answer.status, answer.body.Type], [200, "ToUser"], "an enum by number");
    const again = await call(server(), KUHN, "GET", "/api/v1/ChatSession/2");
    assert.equal(again.body.Status, "CustomerLast");
    // Agents renders the same session carrier, WhenIdle included.
    const viaAgents = await agents(
      server(),
      KUHN,
      "GetChatSessionEntity",
      {},
      "?chatSessionEntityId=2",
    );
    assert.equal(viaAgents.body.WhenIdle, answer.body.WhenPosted);
  });

  it("lists oldest first, one page at most, and pages on with after", async () => {
    const created = await call(server(), ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await call(server(), ADMIN, "POST", messagesOf(id), {
        Type: "ToUser",
        Message: `m${i}`,
      });
      ids.push(reply.body.ChatMessageId);
    }
    const first = await call(server(), KUHN, "GET", messagesOf(id));
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.map((m: { Message: string }) => m.Message),
      ["m0", "m1", "m2"],
    );
    const rest = await call(server(), KUHN, "GET", messagesOf(id, `?after=${ids[2]}`));
    assert.deepEqual(
      rest.body.map((m: { ChatMessageId: number }) => m.ChatMessageId),
      ids.slice(3),
    );
    const viaAgents = await agents(server(), KUHN, "GetChatMessages", {
      ChatSessionId: id,
      After: ids[3],
    });
    assert.deepEqual(
      viaAgents.body.map((m: { Message: string }) => m.Message),
      ["m4"],
    );
    assertError(
      await call(server(), KUHN, "GET", messagesOf(id, "?after=-1")),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(
      await call(server(), KUHN, "GET", messagesOf(id, "?after=x")),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(
      await agents(server(), KUHN, "GetChatMessages", { ChatSessionId: id, After: -1 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });

  it("a queued session stays queued; once picked up, messages keep it counted in OngoingChats", async () => {
    const created = await call(server(), ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    const ongoing = (await presenceOf(server(), 883)).OngoingChats;
    await call(server(), ADMIN, "POST", messagesOf(id), { Type: "ToUser", Message: "Hello?" });
    const queued = await call(server(), KUHN, "GET", `/api/v1/ChatSession/${id}`);
    assert.deepEqual([queued.body.Status, queued.body.FirstMessage], ["InQueue", "Hello?"]);
    const picked = await call(server(), KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`);
    assert.equal(picked.body.Status, "UserLast");
    assert.equal((await presenceOf(server(), 883)).OngoingChats, ongoing + 1);
    const viaAgents = await agents(server(), KUHN, "AddChatMessage", {
      ChatSessionId: id,
      Message: { Type: "ToCustomer", Message: "Hi, Kuhn here" },
    });
    assert.deepEqual([viaAgents.status, viaAgents.body.ChatSessionId], [200, id]);
    await call(server(), ADMIN, "POST", messagesOf(id), { Type: "ToUser", Message: "Thanks" });
    const session = await call(server(), KUHN, "GET", `/api/v1/ChatSession/${id}`);
    assert.deepEqual([session.body.Status, session.body.LastMessage], ["CustomerLast", "Thanks"]);
    const presence = await presenceOf(server(), 883);
    assert.equal(presence.OngoingChats, ongoing + 1, "CustomerLast counts as UserLast did");
    const agentsPresence = await agents(server(), ADMIN, "GetChatPresence");
    const row = agentsPresence.body.find((p: { UserId: number }) => p.UserId === 883);
    assert.equal(row.OngoingChats, ongoing + 1);
  });

  it("refuses callers without the session's rights, on REST and Agents alike", async () => {
    // ocon is a member of 574 without rights: may neither read nor post.
    for (const reply of [
      await call(server(), OCON, "GET", messagesOf(1)),
      await call(server(), OCON, "POST", messagesOf(1), { Type: "ToCustomer", Message: "x" }),
      await call(server(), OCON, "POST", "/api/v1/ChatSession/1/Transcript"),
      await agents(server(), OCON, "GetChatMessages", { ChatSessionId: 1 }),
      await agents(server(), OCON, "AddChatMessage", {
        ChatSessionId: 1,
        Message: { Type: "ToCustomer", Message: "x" },
      }),
      await agents(server(), OCON, "GetChatTranscript", { ChatSessionId: 1 }),
    ])
      assertError(reply, 403, "PRES_ERR_SESSION_ACCESS");
    // kuhn only listens in 128: reads session 4, may not post to it.
    assert.equal((await call(server(), KUHN, "GET", messagesOf(4))).status, 200);
    await assertPostRefused(KUHN, 4, "ToCustomer", 403, "PRES_ERR_SESSION_OWNER");
    const stored = await call(server(), ADMIN, "GET", messagesOf(4));
    assert.deepEqual(stored.body, [], "nothing refused was stored");
  });

  it("REST says 404 for a missing session, Agents null", async () => {
    assertError(await call(server(), KUHN, "GET", messagesOf(999)), 404, "PRES_ERR_NO_SESSION");
    assertError(
      await call(server(), KUHN, "POST", messagesOf(999), { Type: "ToCustomer", Message: "x" }),
      404,
      "PRES_ERR_NO_SESSION",
    );
    assertError(
      await call(server(), KUHN, "POST", "/api/v1/ChatSession/999/Transcript"),
      404,
      "PRES_ERR_NO_SESSION",
    );
    for (const [name, body] of [
      ["AddChatMessage", { ChatSessionId: 999, Message: { Type: "ToCustomer", Message: "x" } }],
      ["GetChatMessages", { ChatSessionId: 999 }],
      ["GetChatTranscript", { ChatSessionId: 999, Html: true }],
    ] as const) {
      const reply = await agents(server(), KUHN, name, body);
      assert.deepEqual([reply.status, reply.body], [200, null], name);
    }
  });

  it("a closed session takes no more messages: 409 on REST and Agents", async () => {
    await assertPostRefused(ADMIN, 3, "ToUser", 409, "PRES_ERR_SESSION_CLOSED");
  });
});
