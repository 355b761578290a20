/**
 * Every operation of Services88 Chat.svc and SoPrincipal.svc through a client the `soap`
 * package generates from the served WSDL: each one answered successfully, and each one
 * refused (rights, an unknown id, or no ticket), over the same services as REST and Agents.
 * A missing entity or a lost race is a nil Response with Succeeded true (as Agents' null);
 * rights failures are Succeeded false with ExceptionInfo.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import soap from "soap";
import { startTestServer, type TestServer } from "./support/server.ts";
import { NS88 } from "./support/soap.ts";

type Client = soap.Client & Record<string, (args: unknown) => Promise<unknown[]>>;
interface Reply {
  // The generated client answers plain objects shaped by the WSDL, typed by nothing here.
  // biome-ignore lint/suspicious/noExplicitAny: read field by field by the assertions
  result: Record<string, any> | null;
  header: { Succeeded?: string; ExceptionInfo?: { ExceptionType?: string; Message?: string } };
}

describe("Services88 Chat.svc: every operation through a generated client", () => {
  let server: TestServer;
  const clients: Record<string, Client> = {};
  const operationsCalled = new Set<string>();

  async function clientFor(ticket: string | null): Promise<Client> {
    const client = (await soap.createClientAsync(
      `${server.url}/Remote/Services88/Chat.svc?wsdl`,
    )) as Client;
    if (ticket) client.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", NS88);
    return client;
  }

  before(async () => {
    server = await startTestServer();
    const ticket = (id: number) => server.services.auth.issue("ticket", id);
    clients.admin = await clientFor(await ticket(1));
    clients.ocon = await clientFor(await ticket(589));
    clients.kuhn = await clientFor(await ticket(883));
    clients.tick = await clientFor(await ticket(900));
    clients.anonymous = await clientFor(null);
  });
  after(() => server.close());

  async function call(who: string, operation: string, args: unknown = {}): Promise<Reply> {
    operationsCalled.add(operation);
    const [result, , header] = await clients[who][`${operation}Async`](args);
    return {
      result: (result as Reply["result"]) ?? null,
      header: (header ?? {}) as Reply["header"],
    };
  }

  const ok = (reply: Reply) => {
    assert.equal(reply.header.Succeeded, "true", JSON.stringify(reply.header));
    return reply.result?.Response;
  };
  const nil = (reply: Reply) => {
    assert.equal(reply.header.Succeeded, "true", JSON.stringify(reply.header));
    assert.equal(reply.result?.Response ?? null, null, "a nil Response");
  };
  const refused = (reply: Reply, type: string) => {
    assert.equal(reply.header.Succeeded, "false");
    assert.equal(
      reply.header.ExceptionInfo?.ExceptionType,
      type,
      reply.header.ExceptionInfo?.Message,
    );
  };
  const denied = (reply: Reply) => refused(reply, "SoAccessDeniedException");
  const unauthenticated = (reply: Reply) => refused(reply, "SoAuthenticationException");

  it("CreateDefaultChatSessionEntity, CreateDefaultChatTopicEntity, CreateDefaultChatTopicAgent", async () => {
    const session = ok(await call("kuhn", "CreateDefaultChatSessionEntity"));
    assert.equal(session.ChatSessionId, 0);
    assert.equal(session.Status, "InQueue");
    const topic = ok(await call("kuhn", "CreateDefaultChatTopicEntity"));
    assert.equal(topic.ChatTopicId, 0);
    assert.equal(topic.OpeningHours.MonStart, "PT8H", "a TimeSpan as xs:duration");
    const agent = ok(await call("kuhn", "CreateDefaultChatTopicAgent"));
    assert.deepEqual([agent.TopicId, agent.CanListen, agent.CanRespond], [0, false, false]);
    for (const op of [
      "CreateDefaultChatSessionEntity",
      "CreateDefaultChatTopicEntity",
      "CreateDefaultChatTopicAgent",
    ]) {
      unauthenticated(await call("anonymous", op));
    }
  });

  it("GetChatPresence and SaveChatPresence", async () => {
    const list = ok(await call("kuhn", "GetChatPresence"));
    assert.equal(list.ChatPresence.length, 4);
    unauthenticated(await call("anonymous", "GetChatPresence"));
    const own = { ChatPresence: { ChatPresence: [{ UserId: 883, Present: true }] } };
    ok(await call("kuhn", "SaveChatPresence", own));
    const other = { ChatPresence: { ChatPresence: [{ UserId: 589, Present: true }] } };
    denied(await call("kuhn", "SaveChatPresence", other));
  });

  it("GetChatTopicEntity, ChatTopicsForUser and IsWithinOpeningHours", async () => {
    const topic = ok(await call("kuhn", "GetChatTopicEntity", { ChatTopicEntityId: 128 }));
    assert.equal(topic.Name, "Sales");
    nil(await call("kuhn", "GetChatTopicEntity", { ChatTopicEntityId: 999 }));
    const mine = ok(await call("kuhn", "ChatTopicsForUser"));
    assert.deepEqual(
      mine.ChatTopicEntity.map((t: { ChatTopicId: number }) => t.ChatTopicId).sort(),
      [128, 574],
    );
    nil(await call("tick", "ChatTopicsForUser"));
    unauthenticated(await call("anonymous", "ChatTopicsForUser"));
    assert.equal(ok(await call("kuhn", "IsWithinOpeningHours", { ChatTopicId: 128 })), true);
    unauthenticated(await call("anonymous", "IsWithinOpeningHours", { ChatTopicId: 128 }));
  });

  it("SaveChatTopicEntity creates and updates (opening hours as xs:duration); DeleteChatTopicEntity", async () => {
    const entity = {
      ChatTopicId: 0,
      Name: "Billing",
      OpeningHoursEnabled: true,
      OpeningHours: { MonEnabled: true, MonStart: "PT9H", MonStop: "PT17H30M" },
    };
    denied(await call("kuhn", "SaveChatTopicEntity", { ChatTopicEntity: entity }));
    const created = ok(await call("admin", "SaveChatTopicEntity", { ChatTopicEntity: entity }));
    assert.ok(created.ChatTopicId > 574);
    assert.equal(created.OpeningHours.MonStart, "PT9H");
    assert.equal(created.OpeningHours.MonStop, "PT17H30M");
    const stored = await server.services.topics.get(
      { userId: 1, username: "tje0", role: "admin" },
      created.ChatTopicId,
    );
    assert.equal(stored.openingHours.days.Mon.stop, 17 * 3600 + 30 * 60);
    const renamed = ok(
      await call("admin", "SaveChatTopicEntity", {
        ChatTopicEntity: { ChatTopicId: created.ChatTopicId, Name: "Invoices" },
      }),
    );
    assert.equal(renamed.Name, "Invoices");
    assert.equal(renamed.OpeningHoursEnabled, true, "properties left out keep their values");
    denied(await call("kuhn", "DeleteChatTopicEntity", { ChatTopicEntityId: created.ChatTopicId }));
    ok(await call("admin", "DeleteChatTopicEntity", { ChatTopicEntityId: created.ChatTopicId }));
    nil(await call("admin", "GetChatTopicEntity", { ChatTopicEntityId: created.ChatTopicId }));
  });

  it("topic members: list, get, add, update, update many, delete", async () => {
    const members = ok(await call("kuhn", "GetChatTopicUserAgentList", { ChatTopicId: 574 }));
    assert.equal(members.ChatTopicAgent.length, 2);
    denied(await call("tick", "GetChatTopicUserAgentList", { ChatTopicId: 574 }));
    const kuhn = ok(
      await call("kuhn", "GetChatTopicUserAgent", { ChatTopicId: 574, Username: "kuhn" }),
    );
    assert.equal(kuhn.CanRespond, true);
    assert.equal(kuhn.User.AssociateId, 883);
    nil(await call("kuhn", "GetChatTopicUserAgent", { ChatTopicId: 574, Username: "tick" }));

    const tick = { User: { UserName: "tick" }, CanListen: true };
    denied(await call("kuhn", "AddChatTopicUserAgent", { ChatTopicId: 574, Useragent: tick }));
    const added = ok(
      await call("admin", "AddChatTopicUserAgent", { ChatTopicId: 574, Useragent: tick }),
    );
    assert.deepEqual(
      [added.User.UserName, added.CanListen, added.CanRespond],
      ["tick", true, false],
    );

    const respond = { ChatTopicId: 574, Username: "tick", Useragent: { CanRespond: true } };
    denied(await call("kuhn", "UpdateChatTopicUserAgent", respond));
    const updated = ok(await call("admin", "UpdateChatTopicUserAgent", respond));
    assert.deepEqual([updated.CanListen, updated.CanRespond], [false, true]);

    const many = {
      ChatTopicId: 128,
      Useragents: { ChatTopicAgent: [{ User: { AssociateId: 900 }, CanNotify: true }] },
    };
    denied(await call("kuhn", "UpdateChatTopicUserAgents", many));
    const all = ok(await call("admin", "UpdateChatTopicUserAgents", many));
    assert.deepEqual(
      all.ChatTopicAgent.map((a: { User: { AssociateId: number } }) => a.User.AssociateId).sort(),
      [883, 900],
    );

    denied(await call("kuhn", "DeleteChatTopicUserAgent", { ChatTopicId: 574, Username: "tick" }));
    ok(await call("admin", "DeleteChatTopicUserAgent", { ChatTopicId: 574, Username: "tick" }));
    ok(await call("admin", "DeleteChatTopicUserAgent", { ChatTopicId: 128, Username: "tick" }));
    nil(await call("admin", "GetChatTopicUserAgent", { ChatTopicId: 574, Username: "tick" }));
  });

  it("GetUserAgentList, flat and grouped by role", async () => {
    const flat = ok(await call("kuhn", "GetUserAgentList", { Flat: true, OnlyPresent: false }));
    assert.deepEqual(
      flat.MDOListItem.map((i: { Id: number }) => i.Id),
      [1, 589, 883, 900],
    );
    const grouped = ok(await call("kuhn", "GetUserAgentList", { Flat: false, OnlyPresent: false }));
    assert.deepEqual(
      grouped.MDOListItem.map((g: { Name: string }) => g.Name),
      ["Administrators", "Agents"],
    );
    assert.equal(grouped.MDOListItem[1].ChildItems.MDOListItem.length, 3);
    unauthenticated(
      await call("anonymous", "GetUserAgentList", { Flat: true, OnlyPresent: false }),
    );
  });

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
    const queued = await server.services.sessions.create({ topicId: 574 });
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
    const callers = ["admin", "kuhn", "admin", "kuhn"];
    for (let round = 0; round < 50; round++) {
      const queued = await server.services.sessions.create({ topicId: 574 });
      const replies = await Promise.all(
        callers.map((who) => call(who, "PickUpChatSession", { ChatSessionId: queued.id })),
      );
      for (const reply of replies) assert.equal(reply.header.Succeeded, "true");
      const winners = replies.filter((r) => r.result?.Response);
      assert.equal(winners.length, 1, `round ${round}`);
      const stored = await server.services.sessions.get(
        { userId: 1, username: "tje0", role: "admin" },
        queued.id,
      );
      assert.equal(stored.user?.id, winners[0].result?.Response.User.AssociateId);
    }
  });

  it("TransferChatSession, RejectChatSessionTransfer, AcceptChatSessionTransfer", async () => {
    await server.services.topics.addMember({ userId: 1, username: "tje0", role: "admin" }, 574, {
      user: "ocon",
      canListen: false,
      canRespond: true,
      canManage: false,
      canNotify: false,
    });
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
    await assert.rejects(
      call("admin", "AddChatMessage", { ChatSessionId: 1, Message: { Type: "Shout" } }),
      /Shout is not a ChatMessageType/,
    );
    const before = (await server.store.listTopics()).length;
    const reply = await call("admin", "SaveChatTopicEntity", {
      ChatTopicEntity: { ChatTopicId: 0, Name: "Late", OpeningHours: { MonStart: "PT25H" } },
    });
    refused(reply, "ArgumentException");
    assert.match(reply.header.ExceptionInfo?.Message ?? "", /MonStart/);
    const after = (await server.store.listTopics()).length;
    assert.equal(after, before, "no topic created");
  });

  it("the generated client has called every operation the WSDL declares", async () => {
    const wsdl = await (await server.fetch("/Remote/Services88/Chat.svc?wsdl")).text();
    const portType = wsdl.slice(wsdl.indexOf("<wsdl:portType"), wsdl.indexOf("</wsdl:portType>"));
    const declared = [...portType.matchAll(/<wsdl:operation name="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(declared.length, 31);
    assert.deepEqual(
      declared.filter((o) => !operationsCalled.has(o)),
      [],
    );
  });
});
