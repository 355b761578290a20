/**
 * Topic members over REST (/ChatTopic/{id}/UserAgent) and Agents, with presence
 * (GetAll and GetChatPresence) reflecting each change at once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ADMIN,
  agents,
  agentsPresenceOf,
  assertError,
  call,
  grant,
  KUHN,
  NO_RIGHTS,
  OCON,
  presenceOf,
  ticketFor,
} from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const base = "/api/v1/ChatTopic/574/UserAgent";

describe("topic members: REST", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("lists members with their user as an Associate and their rights", async () => {
    const reply = await call(server, KUHN, "GET", base);
    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.body.map((a: { User: { AssociateId: number; Name: string }; CanRespond: boolean }) => [
        a.User.AssociateId,
        a.User.Name,
        a.CanRespond,
      ]),
      [
        [589, "ocon", false],
        [883, "kuhn", true],
      ],
    );
    assert.equal(reply.body[1].TopicId, 574);
    assert.equal(reply.body[1].User.FullName, "User kuhn");
  });

  it("gets one member by username or by id; 404 for a non-member or unknown user", async () => {
    assert.equal((await call(server, KUHN, "GET", `${base}/kuhn`)).body.CanRespond, true);
    assert.equal((await call(server, KUHN, "GET", `${base}/883`)).body.User.Name, "kuhn");
    assert.equal(
      (await call(server, KUHN, "GET", `${base}/KUHN`)).status,
      200,
      "usernames ignore case",
    );
    assertError(await call(server, KUHN, "GET", `${base}/tje0`), 404, "PRES_ERR_NO_MEMBER");
    assertError(await call(server, KUHN, "GET", `${base}/nobody`), 404, "PRES_ERR_NO_USER");
    assertError(
      await call(server, KUHN, "GET", "/api/v1/ChatTopic/999/UserAgent"),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });

  it("adds a member and presence shows the topic at once (GetAll and GetChatPresence)", async () => {
    assert.deepEqual((await presenceOf(server, 1)).ChatTopics, []);
    const added = await call(server, ADMIN, "POST", base, {
      User: { AssociateId: 1 },
      ...NO_RIGHTS,
      CanNotify: true,
    });
    assert.equal(added.status, 200);
    assert.deepEqual([added.body.User.Name, added.body.CanNotify], ["tje0", true]);
    assert.deepEqual((await presenceOf(server, 1)).ChatTopics, [574]);
    assert.deepEqual((await agentsPresenceOf(server, 1)).ChatTopics, [574]);
  });

  it("updates one member's rights; no rights left means no topic in presence", async () => {
    const updated = await call(server, ADMIN, "PUT", `${base}/tje0`, {
      ...NO_RIGHTS,
      User: { AssociateId: 883 },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.User.Name, "tje0", "the path names the member, not the body");
    assert.deepEqual((await presenceOf(server, 1)).ChatTopics, []);
    assertError(
      await call(server, ADMIN, "PUT", "/api/v1/ChatTopic/128/UserAgent/ocon", NO_RIGHTS),
      404,
      "PRES_ERR_NO_MEMBER",
    );
  });

  it("updates several members in one call, adding new ones, and returns them all", async () => {
    const reply = await call(server, ADMIN, "PUT", base, [
      { User: { UserName: "ocon" }, ...NO_RIGHTS, CanListen: true },
      { User: { Name: "tick" }, ...NO_RIGHTS, CanRespond: true },
    ]);
    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.body.map((a: { User: { AssociateId: number } }) => a.User.AssociateId),
      [1, 589, 883, 900],
    );
    assert.deepEqual((await presenceOf(server, 589)).ChatTopics, [574]);
    assert.deepEqual((await presenceOf(server, 900)).ChatTopics, [574]);
  });

  it("applies a list all or none: an unknown user changes nothing", async () => {
    const reply = await call(server, ADMIN, "PUT", base, [
      { User: { UserName: "ocon" }, ...NO_RIGHTS },
      { User: { UserName: "ghost" }, ...NO_RIGHTS },
    ]);
    assertError(reply, 400, "PRES_ERR_UNKNOWN_USER");
    assert.match(reply.body.ErrorMessage, /Entry 1/);
    assert.equal((await call(server, ADMIN, "GET", `${base}/ocon`)).body.CanListen, true);
  });

  it("removes a member (204) and presence drops the topic", async () => {
    assert.equal((await call(server, ADMIN, "DELETE", `${base}/tick`)).status, 204);
    assert.deepEqual((await presenceOf(server, 900)).ChatTopics, []);
    assertError(await call(server, ADMIN, "DELETE", `${base}/tick`), 404, "PRES_ERR_NO_MEMBER");
  });

  it("needs CanManage (or admin) to change members; reading needs membership", async () => {
    assertError(
      await call(server, KUHN, "POST", base, { User: { UserName: "ocon" }, ...NO_RIGHTS }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(await call(server, KUHN, "DELETE", `${base}/ocon`), 403, "PRES_ERR_TOPIC_RIGHT");
    assertError(
      await call(server, OCON, "GET", "/api/v1/ChatTopic/128/UserAgent"),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    await grant(server, 574, "kuhn", { CanRespond: true, CanManage: true });
    assert.equal((await call(server, KUHN, "DELETE", `${base}/ocon`)).status, 204);
  });

  it("refuses bodies that do not name a user or have wrong types", async () => {
    assertError(await call(server, ADMIN, "POST", base, NO_RIGHTS), 400, "PRES_ERR_BAD_BODY");
    assertError(
      await call(server, ADMIN, "POST", base, { User: { UserName: "ocon" }, CanListen: "yes" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(server, ADMIN, "PUT", base, { User: { UserName: "ocon" } }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await call(server, ADMIN, "POST", base, { User: { UserName: "ghost" } }),
      400,
      "PRES_ERR_UNKNOWN_USER",
    );
  });
});

describe("topic members: Agents", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("lists, gets, adds, updates (one and many) and deletes members", async () => {
    const list = await agents(server, KUHN, "GetChatTopicUserAgentList", { ChatTopicId: 574 });
    assert.equal(list.body.length, 2);
    const one = await agents(server, KUHN, "GetChatTopicUserAgent", {
      ChatTopicId: 574,
      Username: "kuhn",
    });
    assert.equal(one.body.CanRespond, true);

    const added = await agents(server, ADMIN, "AddChatTopicUserAgent", {
      ChatTopicId: 128,
      Useragent: { User: { UserName: "ocon" }, ...NO_RIGHTS, CanListen: true },
    });
    assert.deepEqual([added.status, added.body.User.AssociateId], [200, 589]);
    assert.deepEqual((await agentsPresenceOf(server, 589)).ChatTopics, [128]);

    const updated = await agents(server, ADMIN, "UpdateChatTopicUserAgent", {
      ChatTopicId: 128,
      Username: "ocon",
      Useragent: { ...NO_RIGHTS, CanManage: true },
    });
    assert.equal(updated.body.CanManage, true);

    const many = await agents(server, ADMIN, "UpdateChatTopicUserAgents", {
      ChatTopicId: 128,
      Useragents: [{ User: { AssociateId: 900 }, ...NO_RIGHTS, CanRespond: true }],
    });
    assert.deepEqual(
      many.body.map((a: { User: { AssociateId: number } }) => a.User.AssociateId),
      [589, 883, 900],
    );
    assert.deepEqual((await presenceOf(server, 900)).ChatTopics, [128]);

    const removed = await agents(server, ADMIN, "DeleteChatTopicUserAgent", {
      ChatTopicId: 128,
      Username: "900",
    });
    assert.equal(removed.status, 204);
    assert.deepEqual((await presenceOf(server, 900)).ChatTopics, []);
  });

  it("answers null for a missing topic or member, where REST says 404", async () => {
    assert.equal(
      (await agents(server, KUHN, "GetChatTopicUserAgentList", { ChatTopicId: 999 })).body,
      null,
    );
    const missing = await agents(server, KUHN, "GetChatTopicUserAgent", {
      ChatTopicId: 574,
      Username: "tje0",
    });
    assert.deepEqual([missing.status, missing.body], [200, null]);
    const gone = await agents(server, ADMIN, "DeleteChatTopicUserAgent", {
      ChatTopicId: 574,
      Username: "tje0",
    });
    assert.equal(gone.status, 204);
  });

  it("refuses rights failures with 403 and the error body, as REST does", async () => {
    const reply = await agents(server, KUHN, "AddChatTopicUserAgent", {
      ChatTopicId: 574,
      Useragent: { User: { UserName: "tje0" }, ...NO_RIGHTS },
    });
    assertError(reply, 403, "PRES_ERR_TOPIC_RIGHT");
    const tick = await ticketFor(server, 900);
    assertError(
      await agents(server, tick, "GetChatTopicUserAgentList", { ChatTopicId: 128 }),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
  });

  it("refuses wrong types with 400", async () => {
    assertError(
      await agents(server, ADMIN, "GetChatTopicUserAgentList", { ChatTopicId: "x" }),
      400,
      "PRES_ERR_BAD_BODY",
    );
    assertError(
      await agents(server, ADMIN, "UpdateChatTopicUserAgents", { ChatTopicId: 128, Useragents: 5 }),
      400,
      "PRES_ERR_BAD_BODY",
    );
  });
});
