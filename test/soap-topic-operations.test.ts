/**
 * Services88 Chat.svc operations on topics, members, presence and the user list through a
 * client the `soap` package generates from the served WSDL: each answered successfully and
 * refused (rights, an unknown id, or no ticket), over the same services as REST and Agents.
 * A missing entity is a nil Response with Succeeded true (as Agents' null); rights failures
 * are Succeeded false with ExceptionInfo.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chatClientSuite,
  denied,
  nil,
  ok,
  TOPIC_OPERATIONS,
  unauthenticated,
} from "./support/soap-chat.ts";

describe("Services88 Chat.svc topics, members and presence through a generated client", () => {
  const suite = chatClientSuite();
  const { call } = suite;

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
    const stored = await suite.server.services.topics.get(
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

  it("a flag list saved over REST (comma-separated JSON) is an XML list over SOAP", async () => {
    const ticket = await suite.server.services.auth.issue("ticket", 1);
    const created = await suite.server.fetch("/api/v1/ChatTopic", {
      method: "POST",
      headers: { Authorization: `SoTicket ${ticket}`, "content-type": "application/json" },
      body: JSON.stringify({ Name: "Flags", Widget: { RequiredFields: "Email, Name" } }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { ChatTopicId } = await created.json();
    const topic = ok(await call("admin", "GetChatTopicEntity", { ChatTopicEntityId: ChatTopicId }));
    assert.equal(topic.Widget.RequiredFields, "Email Name");
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

  it("called every operation it covers", () => {
    assert.deepEqual(
      TOPIC_OPERATIONS.filter((o) => !suite.clients.called.has(o)),
      [],
    );
  });
});
