/**
 * Services88 Chat.svc operations on sessions and messages through a client the `soap` package
 * generates from the served WSDL: each answered successfully and refused (rights, an unknown
 * id, or no ticket). A missing entity or a lost race is a nil Response with Succeeded true (as
 * Agents' null); rights failures and refused input are Succeeded false with ExceptionInfo.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chatClientSuite,
  denied,
  nil,
  ok,
  refused,
  TOPIC_OPERATIONS,
  unauthenticated,
} from "./support/soap-chat.ts";

describe("Services88 Chat.svc sessions and messages through a generated client", () => {
  const suite = chatClientSuite();
  const { call } = suite;

  it("CreateChatSessionForTopic, GetChatSessionEntity, ChatSessionsForUser, SaveChatSessionEntity, DeleteChatSessionEntity", async () => {
    const created = ok(await call("ocon", "CreateChatSessionForTopic", { ChatTopicId: 574 }));
    assert.equal(created.Status, "InQueue");
    assert.equal(created.TopicId, 574);
    nil(await call("ocon", "CreateChatSessionForTopic", { ChatTopicId: 999 }));

    const got = ok(await call("kuhn", "GetChatSessionEntity", { ChatSessionEntityId: 1 }));
    assert.equal(got.User.AssociateId, 883);
    nil(await call("kuhn", "GetChatSessionEntity", { ChatSessionEntityId: 999 }));
    denied(await call("tick", "GetChatSessionEntity", { ChatSessionEntityId: 1 }));

    const mine = ok(await call("kuhn", "ChatSessionsForUser"));
    const ids = mine.ChatSessionEntity.map((s: { ChatSessionId: number }) => s.ChatSessionId);
    assert.ok(ids.includes(1) && ids.includes(created.ChatSessionId), String(ids));
    unauthenticated(await call("anonymous", "ChatSessionsForUser"));

    const edit = { ChatSessionEntity: { ChatSessionId: 1, CustomerName: "Ada" } };
    denied(await call("ocon", "SaveChatSessionEntity", edit));
    const saved = ok(await call("kuhn", "SaveChatSessionEntity", edit));
    assert.equal(saved.CustomerName, "Ada");
    const fresh = ok(
      await call("kuhn", "SaveChatSessionEntity", {
        ChatSessionEntity: { ChatSessionId: 0, TopicId: 128, CustomerAlias: "visitor" },
      }),
    );
    assert.ok(fresh.ChatSessionId > 4);

    const id = { ChatSessionEntityId: fresh.ChatSessionId };
    denied(await call("kuhn", "DeleteChatSessionEntity", id));
    ok(await call("admin", "DeleteChatSessionEntity", id));
    nil(await call("admin", "GetChatSessionEntity", id));
  });

  it("PickUpChatSession (a lost race is nil), PickUpFirstChatSession, ResetChatSession", async () => {
    const queued = await suite.server.services.sessions.create({ topicId: 574 });
    denied(await call("ocon", "PickUpChatSession", { ChatSessionId: queued.id }));
    const picked = ok(await call("kuhn", "PickUpChatSession", { ChatSessionId: queued.id }));
    assert.equal(picked.User.AssociateId, 883);
    nil(await call("admin", "PickUpChatSession", { ChatSessionId: queued.id }));

    denied(await call("ocon", "ResetChatSession", { ChatSessionId: queued.id }));
    const reset = ok(await call("kuhn", "ResetChatSession", { ChatSessionId: queued.id }));
    assert.equal(reset.Status, "InQueue");
    assert.equal(reset.User ?? null, null);

    nil(await call("ocon", "PickUpFirstChatSession"));
    const first = ok(await call("kuhn", "PickUpFirstChatSession"));
    assert.equal(first.TopicId, 574);
    assert.equal(first.User.AssociateId, 883);
  });

  it("racing PickUpChatSession calls: exactly one gets the session, the others a nil Response (50 rounds)", async () => {
    const callers = ["admin", "kuhn", "admin", "kuhn"] as const;
    for (let round = 0; round < 50; round++) {
      const queued = await suite.server.services.sessions.create({ topicId: 574 });
      const replies = await Promise.all(
        callers.map((who) => call(who, "PickUpChatSession", { ChatSessionId: queued.id })),
      );
      for (const reply of replies) assert.equal(reply.header.Succeeded, "true");
      const winners = replies.filter((r) => r.result?.Response);
      assert.equal(winners.length, 1, `round ${round}`);
      const stored = await suite.server.services.sessions.get(
        { userId: 1, username: "tje0", role: "admin" },
        queued.id,
      );
      assert.equal(stored.user?.id, winners[0].result?.Response.User.AssociateId);
    }
  });

  it("TransferChatSession, RejectChatSessionTransfer, AcceptChatSessionTransfer", async () => {
    await suite.server.services.topics.addMember(
      { userId: 1, username: "tje0", role: "admin" },
      574,
      {
        user: "ocon",
        canListen: false,
        canRespond: true,
        canManage: false,
        canNotify: false,
      },
    );
    denied(await call("tick", "TransferChatSession", { ChatSessionId: 2, ToAssociate: "ocon" }));
    const offered = ok(
      await call("kuhn", "TransferChatSession", { ChatSessionId: 2, ToAssociate: "ocon" }),
    );
    assert.equal(offered.TransferTo.UserName, "ocon");
    nil(await call("kuhn", "AcceptChatSessionTransfer", { ChatSessionId: 2 }));
    nil(await call("kuhn", "RejectChatSessionTransfer", { ChatSessionId: 2 }));
    const rejected = ok(await call("ocon", "RejectChatSessionTransfer", { ChatSessionId: 2 }));
    assert.equal(rejected.TransferTo ?? null, null);
    assert.equal(rejected.User.UserName, "kuhn");
    ok(await call("kuhn", "TransferChatSession", { ChatSessionId: 2, ToAssociate: "589" }));
    const accepted = ok(await call("ocon", "AcceptChatSessionTransfer", { ChatSessionId: 2 }));
    assert.equal(accepted.User.UserName, "ocon");
  });

  it("AddChatMessage, GetChatMessages (paged by After), GetChatTranscript (text and HTML)", async () => {
    const text = { Type: "ToCustomer", Message: "Hello <there> & welcome" };
    denied(await call("tick", "AddChatMessage", { ChatSessionId: 1, Message: text }));
    nil(await call("kuhn", "AddChatMessage", { ChatSessionId: 999, Message: text }));
    const first = ok(await call("kuhn", "AddChatMessage", { ChatSessionId: 1, Message: text }));
    assert.equal(first.Message, text.Message);
    assert.equal(first.Author, "User kuhn");
    assert.equal(first.Type, "ToCustomer");
    const second = ok(
      await call("kuhn", "AddChatMessage", {
        ChatSessionId: 1,
        Message: { Type: "ToUser", Message: "Thanks", Author: "Ada" },
      }),
    );
    const session = ok(await call("kuhn", "GetChatSessionEntity", { ChatSessionEntityId: 1 }));
    assert.equal(session.Status, "CustomerLast");
    assert.equal(session.LastMessage, "Thanks");

    const all = ok(await call("kuhn", "GetChatMessages", { ChatSessionId: 1, After: 0 }));
    assert.deepEqual(
      all.ChatMessage.map((m: { ChatMessageId: number }) => m.ChatMessageId),
      [first.ChatMessageId, second.ChatMessageId],
    );
    const page = ok(
      await call("kuhn", "GetChatMessages", { ChatSessionId: 1, After: first.ChatMessageId }),
    );
    assert.equal(page.ChatMessage.length ?? 1, 1);
    denied(await call("tick", "GetChatMessages", { ChatSessionId: 1, After: 0 }));
    refused(
      await call("kuhn", "GetChatMessages", { ChatSessionId: 1, After: -1 }),
      "ArgumentException",
    );

    const plain = ok(await call("kuhn", "GetChatTranscript", { ChatSessionId: 1, Html: false }));
    assert.match(plain, /Hello <there> & welcome/);
    const html = ok(await call("kuhn", "GetChatTranscript", { ChatSessionId: 1, Html: true }));
    assert.match(html, /Hello &lt;there&gt; &amp; welcome/);
    denied(await call("tick", "GetChatTranscript", { ChatSessionId: 1, Html: false }));
    nil(await call("kuhn", "GetChatTranscript", { ChatSessionId: 999, Html: false }));
  });

  it("an Invalid message type is refused in ExceptionInfo naming the field", async () => {
    const reply = await call("kuhn", "AddChatMessage", {
      ChatSessionId: 1,
      Message: { Type: "Invalid", Message: "x" },
    });
    refused(reply, "ArgumentException");
    assert.match(reply.header.ExceptionInfo?.Message ?? "", /Type/);
  });

  it("bad input: an argument not of its type is a Sender fault, a bad value ExceptionInfo, nothing saved", async () => {
    await assert.rejects(
      call("kuhn", "GetChatSessionEntity", { ChatSessionEntityId: "one" }),
      /ChatSessionEntityId: expected an integer/,
    );
    const shout = await call("admin", "AddChatMessage", {
      ChatSessionId: 1,
      Message: { Type: "Shout", Message: "x" },
    });
    refused(shout, "ArgumentException");
    assert.match(shout.header.ExceptionInfo?.Message ?? "", /Type.*Shout|Shout.*Type/);
    await assert.rejects(
      call("admin", "AddChatMessage", { ChatSessionId: 1 }),
      /Message: required/,
    );
    for (const [operation, entity] of [
      ["SaveChatSessionEntity", "ChatSessionEntity"],
      ["SaveChatTopicEntity", "ChatTopicEntity"],
    ]) {
      await assert.rejects(call("admin", operation, {}), new RegExp(`${entity}: required`));
    }
    const before = (await suite.server.store.listTopics()).length;
    const reply = await call("admin", "SaveChatTopicEntity", {
      ChatTopicEntity: { ChatTopicId: 0, Name: "Late", OpeningHours: { MonStart: "PT25H" } },
    });
    refused(reply, "ArgumentException");
    assert.match(reply.header.ExceptionInfo?.Message ?? "", /MonStart/);
    const after = (await suite.server.store.listTopics()).length;
    assert.equal(after, before, "no topic created");
  });

  it("this file and the topic file together call every operation the WSDL declares", async () => {
    const wsdl = await (await suite.server.fetch("/Remote/Services88/Chat.svc?wsdl")).text();
    const portType = wsdl.slice(wsdl.indexOf("<wsdl:portType"), wsdl.indexOf("</wsdl:portType>"));
    const declared = [...portType.matchAll(/<wsdl:operation name="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(declared.length, 31);
    assert.deepEqual(
      declared.filter((o) => !suite.clients.called.has(o) && !TOPIC_OPERATIONS.includes(o)),
      [],
    );
  });
});
