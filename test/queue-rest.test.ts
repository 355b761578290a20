/**
 * GET /api/v1/ChatTopic/{id}/Queue over real HTTP on SQLite and PostgreSQL: the waiting
 * sessions in routing order with their places, waits so far and the agent each is offered to;
 * expected waits that grow with the place and fall as agents become available; and who may
 * read a queue (members with any right, administrators).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ADMIN, assertError, call, KUHN, OCON } from "./support/chat.ts";
import { describeHttpBackends } from "./support/http-backends.ts";
import { measuredAccepts, presentAgents } from "./support/queue.ts";
import { queueSessions, routedTopic } from "./support/routing.ts";

const queueOf = (topicId: number) => `/api/v1/ChatTopic/${topicId}/Queue`;

describeHttpBackends("the queue of a topic", {}, (server) => {
  it("lists waiting sessions oldest first with 1-based places, waits and the agent offered", async () => {
    const { store, services } = server();
    const topic = await routedTopic(store, 2);
    await measuredAccepts(store, topic.topicId, 1, 3, 60_000);
    await store.setRoutingSettings(topic.topicId, {
      mode: "Offer",
      offerSeconds: 600,
      order: "LeastBusy",
      missedOffersBeforeAway: 0,
    });
    const now = Date.now();
    // Created out of order: the queue is ordered by WhenRequested, not by id.
    const [middle] = await queueSessions(store, topic.topicId, 1, now - 20_000);
    const [newest] = await queueSessions(store, topic.topicId, 1, now - 10_000);
    const [oldest] = await queueSessions(store, topic.topicId, 1, now - 30_000);
    await services.routing.route(topic.topicId);
    await services.routing.settled();

    const reply = await call(server(), ADMIN, "GET", queueOf(topic.topicId));
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(
      reply.body.map((p: { ChatSessionId: number }) => p.ChatSessionId),
      [oldest, middle, newest],
    );
    assert.deepEqual(
      reply.body.map((p: { Position: number }) => p.Position),
      [1, 2, 3],
    );
    for (const [i, expected] of [30, 20, 10].entries()) {
      const waiting = reply.body[i].WaitingSeconds;
      assert.ok(Math.abs(waiting - expected) <= 3, `place ${i + 1} waited ${waiting} s`);
    }
    assert.equal(reply.body[0].WhenRequested, new Date(now - 30_000).toISOString());
    // Two agents, two offers: the two oldest, one to each; the newest waits unoffered.
    const offered = reply.body.slice(0, 2).map((p: { OfferedTo: { AssociateId: number } }) => {
      assert.equal(typeof p.OfferedTo?.AssociateId, "number", "offered to an agent");
      return p.OfferedTo.AssociateId;
    });
    assert.deepEqual([...offered].sort(), [...topic.agents].sort());
    assert.equal(reply.body[1].OfferedTo.Type, "InternalAssociate");
    assert.equal(reply.body[2].OfferedTo, null);
    // Both agents hold an offer, so neither is available, yet both are about to take one.
    assert.deepEqual(
      reply.body.map((p: { EstimatedWaitSeconds: number }) => p.EstimatedWaitSeconds),
      [60, 60, 120],
    );
  });

  it("the expected wait grows with the place and falls as agents become available", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 3);
    await measuredAccepts(store, topic.topicId, 1, 5, 60_000);
    await queueSessions(store, topic.topicId, 4);
    const estimates = async (present: number): Promise<number[]> => {
      await presentAgents(store, topic.agents, present);
      const reply = await call(server(), ADMIN, "GET", queueOf(topic.topicId));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.map((p: { EstimatedWaitSeconds: number }) => p.EstimatedWaitSeconds);
    };
    // 60 s per accept measured; each available agent takes one session a round.
    assert.deepEqual(await estimates(1), [60, 120, 180, 240]);
    assert.deepEqual(await estimates(2), [60, 60, 120, 120]);
    assert.deepEqual(await estimates(3), [60, 60, 60, 120]);
    // Nobody present: nobody can take them, so nothing is promised.
    assert.deepEqual(await estimates(0), [null, null, null, null]);
  });

  it("before anything is measured the estimate is null; an empty queue is []", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 1);
    assert.deepEqual((await call(server(), ADMIN, "GET", queueOf(topic.topicId))).body, []);
    await queueSessions(store, topic.topicId, 1);
    const [place] = (await call(server(), ADMIN, "GET", queueOf(topic.topicId))).body;
    assert.equal(place.EstimatedWaitSeconds, null);
    assert.equal(place.OfferedTo, null);
  });

  it("members with any right and administrators read it; others 403, no topic 404", async () => {
    // Kuhn only listens in 128, where session 4 waits.
    const listened = await call(server(), KUHN, "GET", queueOf(128));
    assert.equal(listened.status, 200);
    assert.deepEqual(
      listened.body.map((p: { ChatSessionId: number }) => p.ChatSessionId),
      [4],
    );
    assert.equal((await call(server(), ADMIN, "GET", queueOf(574))).status, 200);
    // Ocon is a member of 574 without a right; nobody from the seed belongs to a new topic.
    assertError(await call(server(), OCON, "GET", queueOf(574)), 403, "PRES_ERR_NOT_MEMBER");
    const other = await routedTopic(server().store, 1);
    assertError(
      await call(server(), KUHN, "GET", queueOf(other.topicId)),
      403,
      "PRES_ERR_NOT_MEMBER",
    );
    assertError(await call(server(), ADMIN, "GET", queueOf(999)), 404, "PRES_ERR_NO_TOPIC");
    assertError(
      await call(server(), ADMIN, "GET", "/api/v1/ChatTopic/x/Queue"),
      400,
      "PRES_ERR_BAD_PATH",
    );
    const anonymous = await server().fetch(queueOf(574));
    assert.equal(anonymous.status, 401);
  });
});
