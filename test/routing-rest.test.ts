/**
 * The routing routes over real HTTP: a topic's routing read and set (managers and admins,
 * validation 400s), an agent's offers, Accept answering the session, Decline, and 409 for an
 * offer that is gone. The server's sweep and lapse timers run as in production.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const ROUTING = "/api/v1/ChatTopic/574/Routing";

describe("routing routes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("a topic routes by Pull until set; GET and PUT carry the same fields", async () => {
    const read = await call(server, ADMIN, "GET", ROUTING);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, {
      Mode: "Pull",
      OfferSeconds: 30,
      MaxChatsPerAgent: 0,
      Order: "LeastBusy",
      MissedOffersBeforeAway: 3,
    });
    const set = await call(server, ADMIN, "PUT", ROUTING, { Order: "RoundRobin", OfferSeconds: 5 });
    assert.equal(set.status, 200);
    assert.equal(set.body.Order, "RoundRobin");
    assert.equal(set.body.OfferSeconds, 5);
    assert.equal(set.body.Mode, "Pull", "a field left out keeps its value");
    assert.deepEqual((await call(server, ADMIN, "GET", ROUTING)).body, set.body);
    await call(server, ADMIN, "PUT", ROUTING, { Order: "LeastBusy", OfferSeconds: 30 });
  });

  it("bad values are 400 naming the field; an agent without CanManage is 403; no topic 404", async () => {
    for (const body of [
      { Mode: "Push" },
      { OfferSeconds: 0 },
      { OfferSeconds: 86_401 },
      { Order: "Random" },
      { MissedOffersBeforeAway: -1 },
      { MaxChatsPerAgent: -2 },
      { OfferSeconds: "soon" },
    ]) {
      const reply = await call(server, ADMIN, "PUT", ROUTING, body);
      assertError(reply, 400, "PRES_ERR_BAD_BODY");
      assert.match(reply.body.ErrorMessage, new RegExp(Object.keys(body)[0]));
    }
    assertError(await call(server, KUHN, "GET", ROUTING), 403, "PRES_ERR_TOPIC_RIGHT");
    assertError(
      await call(server, KUHN, "PUT", ROUTING, { Mode: "Offer" }),
      403,
      "PRES_ERR_TOPIC_RIGHT",
    );
    assertError(
      await call(server, ADMIN, "GET", "/api/v1/ChatTopic/999/Routing"),
      404,
      "PRES_ERR_NO_TOPIC",
    );
  });

  it("an offer appears in the agent's offers; Accept answers the session, a second 409", async () => {
    const saved = await call(server, KUHN, "POST", "/api/v1/Presence/SaveAll", [
      { UserId: 883, Present: true },
    ]);
    assert.equal(saved.status, 204);
    await call(server, ADMIN, "PUT", ROUTING, { Mode: "Offer", OfferSeconds: 30 });
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.ChatSessionId;
    await server.services.routing.settled();
    const offers = await call(server, KUHN, "GET", "/api/v1/Routing/Offers");
    assert.equal(offers.status, 200);
    assert.equal(offers.body.length, 1);
    const [offer] = offers.body;
    assert.equal(offer.ChatSessionId, id);
    assert.equal(offer.TopicId, 574);
    assert.equal(Date.parse(offer.ExpiresAt) - Date.parse(offer.OfferedAt), 30_000);
    const accepted = await call(server, KUHN, "POST", `/api/v1/Routing/Offers/${id}/Accept`);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.ChatSessionId, id);
    assert.equal(accepted.body.Status, "UserLast");
    assert.equal(accepted.body.User.AssociateId, 883);
    assert.notEqual(accepted.body.WhenStarted, null);
    const topic = await call(server, ADMIN, "GET", "/api/v1/ChatTopic/574");
    assert.equal(topic.body.LastAccept, accepted.body.WhenStarted, "LastAccept is measured");
    assert.equal(typeof topic.body.SecondsPrAccept, "number");
    const again = await call(server, KUHN, "POST", `/api/v1/Routing/Offers/${id}/Accept`);
    assertError(again, 409, "PRES_ERR_NO_OFFER");
    assertError(
      await call(server, KUHN, "POST", `/api/v1/Routing/Offers/${id}/Decline`),
      409,
      "PRES_ERR_NO_OFFER",
    );
  });

  it("Decline answers 204; with no one else available the session comes back to the agent", async () => {
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic/574/Sessions");
    const id = created.body.ChatSessionId;
    await server.services.routing.settled();
    const declined = await call(server, KUHN, "POST", `/api/v1/Routing/Offers/${id}/Decline`);
    assert.equal(declined.status, 204);
    await server.services.routing.settled();
    // Kuhn is the one agent who can respond in 574: a session passed over by everyone goes
    // round again rather than stall the queue.
    const offers = (await call(server, KUHN, "GET", "/api/v1/Routing/Offers")).body;
    assert.deepEqual(
      offers.map((o: { ChatSessionId: number }) => o.ChatSessionId),
      [id],
    );
    await call(server, ADMIN, "PUT", ROUTING, { Mode: "Pull" });
  });
});
