/** REST /api/v1/ChatTopic — the entity, the caller's topics, the user picker list. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ADMIN,
  assertError,
  call,
  grant,
  KUHN,
  OCON,
  presenceOf,
  ticketFor,
} from "./support/chat.ts";
import { testServerSuite } from "./support/server.ts";

describe("REST ChatTopic", () => {
  const suite = testServerSuite();

  it("GET default gives an unsaved topic with default opening hours", async () => {
    const reply = await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/default");
    assert.equal(reply.status, 200);
    assert.equal(reply.body.ChatTopicId, 0);
    assert.equal(reply.body.OpeningHoursEnabled, false);
    assert.equal(reply.body.OpeningHours.MonStart, "08:00:00");
    assert.equal(reply.body.OpeningHours.TzLocation.TZLocationCode, "UTC");
    assert.equal(reply.body._Links, undefined, "the default entity has no links");
  });

  it("creates (200, as the contract says), reads, updates and deletes a topic", async () => {
    const created = await call(suite.server, ADMIN, "POST", "/api/v1/ChatTopic", {
      Name: "Billing",
      Description: "Invoices",
      WelcomeMessage: "Hello!",
      BadgeHeader: "Ask us",
      Widget: { Color: "#336699", Theme: "Modern" },
      OpeningHoursEnabled: true,
      OpeningHours: {
        TzLocation: { TZLocationCode: "NO" },
        MonEnabled: true,
        MonStart: "09:00",
        MonStop: "PT17H30M",
      },
    });
    assert.equal(created.status, 200);
    const id = created.body.ChatTopicId;
    assert.ok(id > 0);
    assert.equal(created.body._Links.Self, `/api/v1/ChatTopic/${id}`);
    assert.equal(created.body.OpeningHours.MonStop, "17:30:00");
    assert.equal(created.body.OpeningHours.TzLocation.Name, "Norway");
    assert.equal(created.body.Widget.Theme, "Modern", "settings come back as saved");

    const read = await call(suite.server, ADMIN, "GET", `/api/v1/ChatTopic/${id}`);
    assert.deepEqual(read.body, created.body);

    const updated = await call(suite.server, ADMIN, "PUT", `/api/v1/ChatTopic/${id}`, {
      Name: "Invoices",
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.Name, "Invoices");
    assert.equal(updated.body.Description, "Invoices", "what PUT leaves out keeps its value");
    assert.equal(updated.body.Widget.Color, "#336699");

    assert.equal(
      (await call(suite.server, ADMIN, "DELETE", `/api/v1/ChatTopic/${id}`)).status,
      204,
    );
    assertError(
      await call(suite.server, ADMIN, "GET", `/api/v1/ChatTopic/${id}`),
      404,
      "PRES_ERR_NO_TOPIC",
    );
    assertError(
      await call(suite.server, ADMIN, "DELETE", `/api/v1/ChatTopic/${id}`),
      404,
      "PRES_ERR_NO_TOPIC",
    );
    assertError(
      await call(suite.server, ADMIN, "PUT", `/api/v1/ChatTopic/${id}`, { Name: "x" }),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });

  it("answers $select and XML like the other carriers", async () => {
    const selected = await call(suite.server, ADMIN, "GET", "/api/v1/ChatTopic/128?$select=Name");
    assert.equal(selected.body.Name, "Sales");
    assert.equal(selected.body.ChatTopicId, 0, "not selected: the default");
    assert.equal(selected.body.OpeningHours, null);
    const xml = await call(suite.server, ADMIN, "GET", "/api/v1/ChatTopic/128", undefined, {
      Accept: "application/xml",
    });
    assert.match(reply(xml), /^<\?xml[^>]*><ChatTopicEntityWithLinks xmlns=/);
    assert.match(reply(xml), /<Name>Sales<\/Name>/);
  });

  it("takes XML and form bodies like JSON ones", async () => {
    const xml = await call(
      suite.server,
      ADMIN,
      "PUT",
      "/api/v1/ChatTopic/128",
      "<ChatTopicEntity><Description>From XML</Description><OpeningHoursEnabled>true</OpeningHoursEnabled></ChatTopicEntity>",
      { "Content-Type": "application/xml" },
    );
    assert.equal(xml.status, 200, JSON.stringify(xml.body));
    assert.deepEqual([xml.body.Description, xml.body.OpeningHoursEnabled], ["From XML", true]);
    const form = await call(
      suite.server,
      ADMIN,
      "PUT",
      "/api/v1/ChatTopic/128",
      "WelcomeMessage=Hej&OpeningHoursEnabled=false",
      {
        "Content-Type": "application/x-www-form-urlencoded",
      },
    );
    assert.deepEqual(
      [form.body.WelcomeMessage, form.body.Description, form.body.OpeningHoursEnabled],
      ["Hej", "From XML", false],
    );
  });

  it("lets members read a topic, refuses others with 403", async () => {
    assert.equal((await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/128")).status, 200);
    assertError(
      await call(suite.server, OCON, "GET", "/api/v1/ChatTopic/574"),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    const tick = await ticketFor(suite.server, 900);
    assertError(
      await call(suite.server, tick, "GET", "/api/v1/ChatTopic/128"),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
  });

  it("needs the admin role to create, CanManage to update and delete", async () => {
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatTopic", { Name: "x" }),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
    assertError(
      await call(suite.server, KUHN, "PUT", "/api/v1/ChatTopic/574", { Name: "x" }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(
      await call(suite.server, KUHN, "DELETE", "/api/v1/ChatTopic/574"),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    await grant(suite.server, 574, "ocon", { CanManage: true });
    const renamed = await call(suite.server, OCON, "PUT", "/api/v1/ChatTopic/574", {
      Description: "Help",
    });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.Name, "Support");
    assert.equal(renamed.body.Description, "Help");
  });

  it("refuses bad input with 400 and a clear message", async () => {
    assertError(
      await call(suite.server, ADMIN, "GET", "/api/v1/ChatTopic/abc"),
      400,
      "PRES_ERR_BAD_PATH",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatTopic", { Name: 5 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatTopic", "[1,2"),
      400,
      "PRES_ERR_BAD_BODY",
    );
    const zone = await call(suite.server, ADMIN, "POST", "/api/v1/ChatTopic", {
      OpeningHours: { TzLocation: { TZLocationCode: "Mars/Olympus" } },
    });
    assertError(zone, 400, "PRES_ERR_BAD_TIME_ZONE");
    assert.match(zone.body.ErrorMessage, /OpeningHours\.TzLocation\.TZLocationCode/);
    const time = await call(suite.server, ADMIN, "POST", "/api/v1/ChatTopic", {
      OpeningHours: { TueStart: "25:99" },
    });
    assertError(time, 400, "PRES_ERR_BAD_TIME");
    assert.match(time.body.ErrorMessage, /OpeningHours\.TueStart/);
    assertError(
      await call(suite.server, ADMIN, "PATCH", "/api/v1/ChatTopic/128", {}),
      405,
      "PRES_ERR_METHOD",
    );
  });

  it("lists the caller's topics: those where they hold any right", async () => {
    const kuhn = await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/ForCurrentUser");
    assert.deepEqual(
      kuhn.body.map((t: { ChatTopicId: number }) => t.ChatTopicId),
      [128, 574],
    );
    const tick = await call(
      suite.server,
      await ticketFor(suite.server, 900),
      "GET",
      "/api/v1/ChatTopic/ForCurrentUser",
    );
    assert.deepEqual(tick.body, []);
  });

  it("lists the users that can be assigned, flat or grouped by role, present only if asked", async () => {
    const flat = await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/UserAgents?flat=true");
    assert.deepEqual(
      flat.body.map((i: { Id: number }) => i.Id),
      [1, 589, 883, 900],
    );
    assert.equal(flat.body[2].ToolTip, "kuhn");
    const grouped = await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/UserAgents");
    assert.deepEqual(
      grouped.body.map((g: { Name: string; ChildItems: unknown[] }) => [
        g.Name,
        g.ChildItems.length,
      ]),
      [
        ["Administrators", 1],
        ["Agents", 3],
      ],
    );
    await call(suite.server, KUHN, "POST", "/api/v1/Presence/SaveAll", [
      { UserId: 883, Present: true },
    ]);
    const present = await call(
      suite.server,
      KUHN,
      "GET",
      "/api/v1/ChatTopic/UserAgents?flat=true&onlyPresent=true",
    );
    assert.deepEqual(
      present.body.map((i: { Id: number }) => i.Id),
      [883],
    );
    assertError(
      await call(suite.server, KUHN, "GET", "/api/v1/ChatTopic/UserAgents?flat=maybe"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
  });

  it("deleting a topic drops it from its members' ChatTopics and its chats from OngoingChats", async () => {
    const before = await presenceOf(suite.server, 883);
    assert.deepEqual([before.ChatTopics, before.OngoingChats], [[128, 574], 2]);
    assert.equal((await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatTopic/574")).status, 204);
    const afterDelete = await presenceOf(suite.server, 883);
    assert.deepEqual([afterDelete.ChatTopics, afterDelete.OngoingChats], [[128], 0]);
  });
});

function reply(r: { body: unknown }): string {
  return String(r.body);
}
