/**
 * Agent capacity over HTTP and the services: MaxChats on /api/v1/ChatUser, the REST 409
 * PRES_ERR_AT_CAPACITY body and the Agents null for pick-ups and transfer acceptances beyond a
 * limit, MaxChatsPerAgent set through the topic service, and the limits in the import file.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import { parseSeed } from "../src/domain/seed.ts";
import { ADMIN, agents, assertError, call, KUHN, presenceOf } from "./support/chat.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

const ADMIN_ACTOR: Actor = { userId: 1, username: "tje0", role: "admin" };
const KUHN_ID = 883;

describe("capacity over HTTP", () => {
  let server: TestServer;
  /** A second agent who can respond in topic 574, with a password. */
  const TARA = basic("tara", PASSWORD);
  let taraId: number;

  before(async () => {
    server = await startTestServer();
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatUser", {
      Username: "tara",
      Password: PASSWORD,
    });
    taraId = created.body.UserId;
    const members = [{ User: { AssociateId: taraId }, CanRespond: true }];
    assert.equal(
      (await call(server, ADMIN, "PUT", "/api/v1/ChatTopic/574/UserAgent", members)).status,
      200,
    );
  });
  after(() => server.close());

  const setMaxChats = (userId: number, maxChats: unknown) =>
    call(server, ADMIN, "PUT", `/api/v1/ChatUser/${userId}`, { MaxChats: maxChats });

  async function queued(): Promise<number> {
    const reply = await call(server, KUHN, "POST", "/api/v1/ChatTopic/574/Sessions");
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.ChatSessionId;
  }

  it("ChatUser MaxChats: 0 by default, set by PUT and POST, kept when left out", async () => {
    assert.equal(
      (await call(server, ADMIN, "GET", `/api/v1/ChatUser/${KUHN_ID}`)).body.MaxChats,
      0,
    );
    assert.equal((await setMaxChats(KUHN_ID, 3)).body.MaxChats, 3);
    const renamed = await call(server, ADMIN, "PUT", `/api/v1/ChatUser/${KUHN_ID}`, {
      DisplayName: "Kuhn K",
    });
    assert.deepEqual([renamed.body.DisplayName, renamed.body.MaxChats], ["Kuhn K", 3]);
    assert.equal(
      (await call(server, ADMIN, "GET", `/api/v1/ChatUser/${KUHN_ID}`)).body.MaxChats,
      3,
    );
    assert.equal((await setMaxChats(KUHN_ID, 0)).body.MaxChats, 0);
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatUser", {
      Username: "capped",
      MaxChats: 2,
    });
    assert.deepEqual([created.status, created.body.MaxChats], [201, 2]);
    const list = await call(server, ADMIN, "GET", "/api/v1/ChatUser");
    assert.equal(list.body.find((u: { Username: string }) => u.Username === "capped").MaxChats, 2);
  });

  it("refuses a MaxChats that is not 0 or more, and saves nothing", async () => {
    const negative = await setMaxChats(KUHN_ID, -1);
    assertError(negative, 400, "PRES_ERR_BAD_BODY");
    assert.match(negative.body.ErrorMessage, /MaxChats/);
    assertError(await setMaxChats(KUHN_ID, "many"), 400, "PRES_ERR_BAD_BODY");
    assertError(await setMaxChats(KUHN_ID, 2.5), 400, "PRES_ERR_BAD_BODY");
    assert.equal((await server.store.getUser(KUHN_ID))?.maxChats, 0);
    const refused = await call(server, ADMIN, "POST", "/api/v1/ChatUser", {
      Username: "never",
      MaxChats: -3,
    });
    assertError(refused, 400, "PRES_ERR_BAD_BODY");
    assert.equal(await server.store.getUserByUsername("never"), null);
    assertError(
      await call(server, KUHN, "PUT", `/api/v1/ChatUser/${KUHN_ID}`, { MaxChats: 9 }),
      403,
      "PRES_ERR_ADMIN_ONLY",
    );
  });

  it("a pick-up beyond MaxChats: REST 409 AT_CAPACITY in English or Norwegian, Agents null", async () => {
    assert.equal((await presenceOf(server, KUHN_ID)).OngoingChats, 2, "sessions 1 and 2");
    await setMaxChats(KUHN_ID, 2);
    const id = await queued();
    const rest = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`);
    assertError(rest, 409, "PRES_ERR_AT_CAPACITY");
    assert.equal(
      rest.body.ErrorMessage,
      "kuhn cannot take another chat: their ongoing chats are at the limit (MaxChats = 2)",
    );
    const norsk = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`, undefined, {
      "Accept-Language": "nb",
    });
    assert.match(
      norsk.body.ErrorMessage,
      /^kuhn kan ikke ta en chat til: de pågående chattene har nådd grensen \(MaxChats = 2\)$/,
    );
    const agentsReply = await agents(server, KUHN, "PickUpChatSession", { ChatSessionId: id });
    assert.deepEqual([agentsReply.status, agentsReply.body], [200, null]);
    assertError(
      await call(server, KUHN, "POST", "/api/v1/ChatSession/Pickup"),
      409,
      "PRES_ERR_AT_CAPACITY",
    );
    const first = await agents(server, KUHN, "PickUpFirstChatSession");
    assert.deepEqual([first.status, first.body], [200, null]);
    const stored = await server.store.getSession(id);
    assert.deepEqual([stored?.status, stored?.user], ["InQueue", null]);
    assert.equal((await presenceOf(server, KUHN_ID)).OngoingChats, 2, "OngoingChats unchanged");
    await setMaxChats(KUHN_ID, 3);
    const picked = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/Pickup`);
    assert.deepEqual([picked.status, picked.body.User.AssociateId], [200, KUHN_ID]);
  });

  it("with nothing waiting, a full agent's first-in-queue pick-up is null, as before", async () => {
    await setMaxChats(KUHN_ID, 1);
    for (const session of await server.store.listSessions({ topicId: 574 })) {
      if (session.status === "InQueue") await server.store.deleteSession(session.id);
    }
    const reply = await call(server, KUHN, "POST", "/api/v1/ChatSession/Pickup");
    assert.deepEqual([reply.status, reply.body], [200, null]);
  });

  it("a transfer acceptance beyond the limit: 409 / null, and the offer stays", async () => {
    await setMaxChats(KUHN_ID, 3);
    const id = await queued();
    assert.equal(
      (await call(server, TARA, "POST", `/api/v1/ChatSession/${id}/Pickup`)).status,
      200,
    );
    const offer = await call(server, TARA, "POST", `/api/v1/ChatSession/${id}/TransferTo/kuhn`);
    assert.equal(offer.body.TransferTo.AssociateId, KUHN_ID);
    const rest = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/AcceptTransfer`);
    assertError(rest, 409, "PRES_ERR_AT_CAPACITY");
    const viaAgents = await agents(server, KUHN, "AcceptChatSessionTransfer", {
      ChatSessionId: id,
    });
    assert.deepEqual([viaAgents.status, viaAgents.body], [200, null]);
    const stored = await server.store.getSession(id);
    assert.deepEqual([stored?.user?.id, stored?.transferTo?.id], [taraId, KUHN_ID]);
    assertError(
      await call(server, ADMIN, "PUT", `/api/v1/ChatSession/${id}`, {
        ChatSessionId: id,
        User: { AssociateId: KUHN_ID },
      }),
      409,
      "PRES_ERR_AT_CAPACITY",
    );
    await setMaxChats(KUHN_ID, 4);
    const accepted = await call(server, KUHN, "POST", `/api/v1/ChatSession/${id}/AcceptTransfer`);
    assert.equal(accepted.body.User.AssociateId, KUHN_ID);
  });

  it("MaxChatsPerAgent through the topic service: managers only, 0 or more, binds in its topic", async () => {
    const { topics } = server.services;
    const kuhn: Actor = { userId: KUHN_ID, username: "kuhn", role: "agent" };
    await assert.rejects(topics.setMaxChatsPerAgent(kuhn, 574, 1), {
      code: "PRES_ERR_TOPIC_RIGHT",
    });
    await assert.rejects(topics.setMaxChatsPerAgent(ADMIN_ACTOR, 574, -1), {
      code: "PRES_ERR_BAD_BODY",
    });
    await assert.rejects(topics.setMaxChatsPerAgent(ADMIN_ACTOR, 574, 0.5), {
      code: "PRES_ERR_BAD_BODY",
    });
    await assert.rejects(topics.setMaxChatsPerAgent(ADMIN_ACTOR, 4242, 1), {
      code: "PRES_ERR_NO_TOPIC",
    });
    const set = await topics.setMaxChatsPerAgent(ADMIN_ACTOR, 574, 1);
    assert.equal(set.maxChatsPerAgent, 1);
    const renamed = await call(server, ADMIN, "PUT", "/api/v1/ChatTopic/574", { Name: "Help" });
    assert.equal(renamed.status, 200);
    assert.equal((await server.store.getTopic(574))?.maxChatsPerAgent, 1, "kept");
    const fits = await queued();
    assert.equal(
      (await call(server, TARA, "POST", `/api/v1/ChatSession/${fits}/Pickup`)).status,
      200,
    );
    const id = await queued();
    const refused = await call(server, TARA, "POST", `/api/v1/ChatSession/${id}/Pickup`);
    assertError(refused, 409, "PRES_ERR_AT_CAPACITY");
    assert.match(refused.body.ErrorMessage, /\(ChatTopic 574: MaxChatsPerAgent = 1\)$/);
    await topics.setMaxChatsPerAgent(ADMIN_ACTOR, 574, 0);
    assert.equal(
      (await call(server, TARA, "POST", `/api/v1/ChatSession/${id}/Pickup`)).status,
      200,
    );
  });

  it("declares MaxChats in the ChatUser schemas of /openapi.json, as an extension", async () => {
    const spec = await (await server.fetch("/openapi.json")).json();
    for (const name of ["ChatUser", "ChatUserCreate", "ChatUserUpdate"]) {
      const property = spec.components.schemas[name].properties.MaxChats;
      assert.equal(property?.type, "integer", name);
      assert.match(property.description, /^Extension: .*0: no limit/, name);
    }
    assert.ok(spec.paths["/api/v1/ChatUser/{id}"].put["x-extension"]);
  });

  it("imports maxChats and maxChatsPerAgent from the import file", async () => {
    const seed = parseSeed({
      users: [{ id: 950, username: "imported", maxChats: 4 }],
      topics: [{ id: 574, name: "Support", maxChatsPerAgent: 2 }],
    });
    await server.services.directory.importSeed(seed);
    assert.equal((await call(server, ADMIN, "GET", "/api/v1/ChatUser/950")).body.MaxChats, 4);
    assert.equal((await server.store.getTopic(574))?.maxChatsPerAgent, 2);
  });
});
