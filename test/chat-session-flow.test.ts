/**
 * A chat's life over REST — pick-up, transfer, accept, reject, reset — with
 * OngoingChats in GetAll (and GetChatPresence) checked after every step.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ADMIN,
  agentsPresenceOf,
  assertError,
  call,
  KUHN,
  OCON,
  presenceOf,
  respondingSuite,
} from "./support/chat.ts";
import type { TestServer } from "./support/server.ts";

const ongoing = async (server: TestServer, userId: number) => {
  const rest = (await presenceOf(server, userId)).OngoingChats;
  assert.equal(
    (await agentsPresenceOf(server, userId)).OngoingChats,
    rest,
    "REST and Agents agree",
  );
  return rest;
};

describe("REST chat flow", () => {
  const suite = respondingSuite();
  let queued: number;

  it("a new session waits in the queue until someone who can respond picks it up", async () => {
    queued = (await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/574/Sessions")).body
      .ChatSessionId;
    assertError(
      await call(suite.server, OCON, "POST", `/api/v1/ChatSession/${queued}/Pickup`),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assert.equal(await ongoing(suite.server, 883), 2);
    const picked = await call(suite.server, KUHN, "POST", `/api/v1/ChatSession/${queued}/Pickup`);
    assert.equal(picked.status, 200);
    assert.deepEqual([picked.body.Status, picked.body.User.AssociateId], ["UserLast", 883]);
    assert.ok(picked.body.WhenStarted);
    assert.equal(await ongoing(suite.server, 883), 3);
  });

  it("a second pick-up of the same session is a 409 that says why", async () => {
    const late = await call(
      suite.server,
      suite.tick,
      "POST",
      `/api/v1/ChatSession/${queued}/Pickup`,
    );
    assertError(late, 409, "PRES_ERR_NOT_IN_QUEUE");
    assert.match(late.body.ErrorMessage, /UserLast/);
    assert.equal(await ongoing(suite.server, 900), 0);
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/999/Pickup"),
      404,
      "PRES_ERR_NO_SESSION",
    );
  });

  it("a user who is not present may still pick up", async () => {
    assert.equal((await presenceOf(suite.server, 900)).Present, false);
    const next = (await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/574/Sessions")).body
      .ChatSessionId;
    const picked = await call(
      suite.server,
      suite.tick,
      "POST",
      `/api/v1/ChatSession/${next}/Pickup`,
    );
    assert.equal(picked.status, 200);
    assert.equal(await ongoing(suite.server, 900), 1);
  });

  it("Pickup without an id takes the oldest queued session where the caller can respond", async () => {
    const first = (await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/574/Sessions")).body
      .ChatSessionId;
    await call(suite.server, OCON, "POST", "/api/v1/ChatTopic/574/Sessions");
    const picked = await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/Pickup");
    assert.deepEqual([picked.status, picked.body.ChatSessionId], [200, first]);
    assert.equal(await ongoing(suite.server, 883), 4);
    const ocon = await call(suite.server, OCON, "POST", "/api/v1/ChatSession/Pickup");
    assert.deepEqual([ocon.status, ocon.body], [200, null], "nothing where ocon can respond");
    await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/Pickup");
    const empty = await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/Pickup");
    assert.deepEqual(
      [empty.status, empty.body],
      [200, null],
      "session 4 is in 128, where kuhn only listens",
    );
  });

  it("transfers an own chat to someone who can respond; the owner keeps it until accepted", async () => {
    const offered = await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/1/TransferTo/tick");
    assert.equal(offered.status, 200);
    assert.deepEqual([offered.body.User.Name, offered.body.TransferTo.Name], ["kuhn", "tick"]);
    assert.equal(await ongoing(suite.server, 883), 5);
    const seen = await call(suite.server, suite.tick, "GET", "/api/v1/ChatSession/ForCurrentUser");
    assert.ok(seen.body.some((s: { ChatSessionId: number }) => s.ChatSessionId === 1));
  });

  it("transfer of someone else's chat does nothing, as the contract says", async () => {
    const reply = await call(suite.server, ADMIN, "POST", "/api/v1/ChatSession/2/TransferTo/tick");
    assert.deepEqual(
      [reply.status, reply.body.TransferTo, reply.body.User.Name],
      [200, null, "kuhn"],
    );
  });

  it("refuses a transfer to someone who cannot respond or does not exist", async () => {
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/2/TransferTo/ocon"),
      400,
      "PRES_ERR_CANNOT_RESPOND",
    );
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/2/TransferTo/ghost"),
      404,
      "PRES_ERR_NO_USER",
    );
    assertError(
      await call(suite.server, OCON, "POST", "/api/v1/ChatSession/2/TransferTo/tick"),
      403,
      "PRES_ERR_SESSION_ACCESS",
    );
  });

  it("only the user it is offered to can accept; accepting moves the chat", async () => {
    assertError(
      await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/1/AcceptTransfer"),
      409,
      "PRES_ERR_NO_TRANSFER",
    );
    const accepted = await call(
      suite.server,
      suite.tick,
      "POST",
      "/api/v1/ChatSession/1/AcceptTransfer",
    );
    assert.deepEqual(
      [accepted.status, accepted.body.User.Name, accepted.body.TransferTo],
      [200, "tick", null],
    );
    assert.equal(await ongoing(suite.server, 883), 4);
    assert.equal(await ongoing(suite.server, 900), 2);
    assertError(
      await call(suite.server, suite.tick, "POST", "/api/v1/ChatSession/1/AcceptTransfer"),
      409,
      "PRES_ERR_NO_TRANSFER",
    );
  });

  it("a rejected transfer leaves the chat with its user", async () => {
    await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/2/TransferTo/900");
    const rejected = await call(
      suite.server,
      suite.tick,
      "POST",
      "/api/v1/ChatSession/2/RejectTransfer",
    );
    assert.deepEqual(
      [rejected.status, rejected.body.User.Name, rejected.body.TransferTo],
      [200, "kuhn", null],
    );
    assertError(
      await call(suite.server, suite.tick, "POST", "/api/v1/ChatSession/2/RejectTransfer"),
      409,
      "PRES_ERR_NO_TRANSFER",
    );
    assert.equal(await ongoing(suite.server, 883), 4);
  });

  it("reset puts an ongoing chat back in the queue; only its user, a manager or an admin may", async () => {
    assertError(
      await call(suite.server, suite.tick, "POST", "/api/v1/ChatSession/2/Reset"),
      403,
      "PRES_ERR_SESSION_OWNER",
    );
    const reset = await call(suite.server, KUHN, "POST", "/api/v1/ChatSession/2/Reset");
    assert.deepEqual([reset.status, reset.body.Status, reset.body.User], [200, "InQueue", null]);
    assert.equal(await ongoing(suite.server, 883), 3);
    assertError(
      await call(suite.server, ADMIN, "POST", "/api/v1/ChatSession/2/Reset"),
      409,
      "PRES_ERR_NOT_ONGOING",
    );
    const again = await call(suite.server, suite.tick, "POST", "/api/v1/ChatSession/2/Pickup");
    assert.equal(again.body.User.Name, "tick", "back in the queue, it can be picked up again");
    assert.equal(await ongoing(suite.server, 900), 3);
  });

  it("finishing and closing a chat drop it from OngoingChats", async () => {
    await call(suite.server, suite.tick, "PUT", "/api/v1/ChatSession/2", { Status: "Finished" });
    assert.equal(await ongoing(suite.server, 900), 2);
    await call(suite.server, suite.tick, "PUT", "/api/v1/ChatSession/1", { Status: "Closed" });
    assert.equal(await ongoing(suite.server, 900), 1);
  });

  it("deleting a user puts their chats back in the queue", async () => {
    assert.equal((await call(suite.server, ADMIN, "DELETE", "/api/v1/ChatUser/900")).status, 204);
    const sessions = await call(
      suite.server,
      ADMIN,
      "GET",
      "/api/v1/ChatSession?$filter=status eq 'InQueue'",
    );
    assert.ok(sessions.body.value.length >= 2);
    const all = await call(suite.server, ADMIN, "GET", "/api/v1/Presence/GetAll");
    assert.ok(!all.body.some((p: { UserId: number }) => p.UserId === 900));
  });
});
