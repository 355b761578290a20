/**
 * GET /api/v1/Availability over real HTTP on SQLite and PostgreSQL: a topic's aggregates for
 * chat widgets (opening hours, agents present and available, queue length, expected wait),
 * ShowOfflineForm from the topic's offline-form settings, who may ask (signed in, or a
 * registered application token; anyone with --public-availability), and ETag revalidation.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { pickUp } from "../src/domain/session.ts";
import { assertError, call, KUHN } from "./support/chat.ts";
import { describeHttpBackends } from "./support/http-backends.ts";
import { changeTopic, measuredAccepts, neverOpen, presentAgents } from "./support/queue.ts";
import { queueSessions, routedTopic } from "./support/routing.ts";
import { queued } from "./support/store-contract.ts";

const availabilityOf = (topicId: number | string) => `/api/v1/Availability?topicId=${topicId}`;

describeHttpBackends("availability for chat widgets", {}, (server) => {
  const ask = async (topicId: number) => {
    const reply = await call(server(), KUHN, "GET", availabilityOf(topicId));
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  };

  it("answers the topic's aggregates; an agent at a limit is present, not available", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 2, { maxChats: 1 });
    await measuredAccepts(store, topic.topicId, 1, 5, 60_000);
    await queueSessions(store, topic.topicId, 2);
    assert.deepEqual(await ask(topic.topicId), {
      TopicId: topic.topicId,
      Open: true,
      AgentsPresent: 2,
      AgentsAvailable: 2,
      QueueLength: 2,
      // A newcomer is third: two agents take one each per 60 s round, so two rounds.
      EstimatedWaitSeconds: 120,
      ShowOfflineForm: false,
    });
    // One agent takes a chat (after the same 60 s wait) and is at MaxChats 1.
    const chat = await store.createSession(queued(topic.topicId, Date.now() - 60_000));
    await store.updateSessionIf(chat.id, pickUp(topic.agents[0], Date.now()));
    const busy = await ask(topic.topicId);
    assert.equal(busy.AgentsPresent, 2);
    assert.equal(busy.AgentsAvailable, 1);
    assert.equal(busy.EstimatedWaitSeconds, 180);
  });

  it("shows the offline form when nobody is present or the topic is closed", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 1);
    await measuredAccepts(store, topic.topicId, 1, 3, 30_000);
    assert.equal((await ask(topic.topicId)).ShowOfflineForm, false);
    await presentAgents(store, topic.agents, 0);
    const nobody = await ask(topic.topicId);
    assert.equal(nobody.AgentsPresent, 0);
    assert.equal(nobody.EstimatedWaitSeconds, null);
    assert.equal(nobody.ShowOfflineForm, true);
    await presentAgents(store, topic.agents, 1);
    await changeTopic(store, topic.topicId, {
      openingHoursEnabled: true,
      openingHours: neverOpen(),
    });
    const closed = await ask(topic.topicId);
    assert.equal(closed.Open, false);
    assert.equal(closed.AgentsPresent, 1);
    assert.equal(closed.ShowOfflineForm, true);
    // Open agrees with IsWithinOpeningHours, through the same service call.
    const isOpen = await call(server(), KUHN, "GET", `/api/v1/ChatTopic/${topic.topicId}/IsOpen`);
    assert.equal(isOpen.body, false);
  });

  it("with UseQueueOfflineForm, from OfflineFormQueueLength waiting or an OfflineFormTimeLimit wait", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 1);
    await measuredAccepts(store, topic.topicId, 1, 3, 60_000);
    await changeTopic(store, topic.topicId, {
      settings: { UseQueueOfflineForm: false, OfflineFormQueueLength: 2 },
    });
    await queueSessions(store, topic.topicId, 2);
    assert.equal((await ask(topic.topicId)).ShowOfflineForm, false, "not used unless enabled");
    await changeTopic(store, topic.topicId, {
      settings: { UseQueueOfflineForm: true, OfflineFormQueueLength: 3 },
    });
    assert.equal((await ask(topic.topicId)).ShowOfflineForm, false, "2 waiting of 3");
    await queueSessions(store, topic.topicId, 1);
    assert.equal((await ask(topic.topicId)).ShowOfflineForm, true, "3 waiting of 3");

    // A time limit of 5 minutes: a newcomer fourth in line waits 4 rounds of 60 s, then 5.
    await changeTopic(store, topic.topicId, {
      settings: { OfflineFormQueueLength: 0, OfflineFormTimeLimit: 5 },
    });
    const under = await ask(topic.topicId);
    assert.equal(under.EstimatedWaitSeconds, 240);
    assert.equal(under.ShowOfflineForm, false);
    await queueSessions(store, topic.topicId, 1);
    const over = await ask(topic.topicId);
    assert.equal(over.EstimatedWaitSeconds, 300);
    assert.equal(over.ShowOfflineForm, true);
  });

  it("asks for sign-in or a registered application token; bad topicId 400, no topic 404", async () => {
    const anonymous = await server().fetch(availabilityOf(574));
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json()).ErrorCode, "PRES_ERR_UNAUTHENTICATED");
    const app = await server().fetch(availabilityOf(574), {
      headers: { "SO-AppToken": "app-123" },
    });
    assert.equal(app.status, 200);
    assert.equal((await app.json()).TopicId, 574);
    const wrong = await server().fetch(availabilityOf(574), { headers: { "SO-AppToken": "nope" } });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).ErrorCode, "PRES_ERR_APP_TOKEN");
    for (const bad of ["abc", "-1", "1.5", ""]) {
      assertError(
        await call(server(), KUHN, "GET", availabilityOf(bad)),
        400,
        "PRES_ERR_BAD_QUERY",
      );
    }
    assertError(
      await call(server(), KUHN, "GET", "/api/v1/Availability"),
      400,
      "PRES_ERR_BAD_QUERY",
    );
    assertError(await call(server(), KUHN, "GET", availabilityOf(999)), 404, "PRES_ERR_NO_TOPIC");
  });

  it("carries an ETag, 304 while nothing changed, a new one when the queue did", async () => {
    const { store } = server();
    const topic = await routedTopic(store, 1);
    const first = await call(server(), KUHN, "GET", availabilityOf(topic.topicId));
    const etag = first.headers.get("etag") ?? "";
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers.get("cache-control"), "private, max-age=5");
    const again = await call(server(), KUHN, "GET", availabilityOf(topic.topicId), undefined, {
      "If-None-Match": etag,
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    await queueSessions(store, topic.topicId, 1);
    const changed = await call(server(), KUHN, "GET", availabilityOf(topic.topicId), undefined, {
      "If-None-Match": etag,
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.QueueLength, 1);
    assert.notEqual(changed.headers.get("etag"), etag);
  });
});

describeHttpBackends("public availability", { publicAvailability: true }, (server) => {
  it("answers anonymous callers with a public max-age and revalidates by ETag", async () => {
    const topic = await routedTopic(server().store, 2);
    const first = await server().fetch(availabilityOf(topic.topicId));
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("cache-control"), "public, max-age=5");
    const body = await first.json();
    assert.deepEqual(Object.keys(body).sort(), [
      "AgentsAvailable",
      "AgentsPresent",
      "EstimatedWaitSeconds",
      "Open",
      "QueueLength",
      "ShowOfflineForm",
      "TopicId",
    ]);
    assert.equal(body.AgentsPresent, 2);
    const etag = first.headers.get("etag") ?? "";
    const again = await server().fetch(availabilityOf(topic.topicId), {
      headers: { "If-None-Match": etag },
    });
    assert.equal(again.status, 304);
  });

  it("keeps every other route signed-in only; bad and unknown topics are still refused", async () => {
    assert.equal((await server().fetch("/api/v1/ChatTopic/574/Queue")).status, 401);
    assert.equal((await server().fetch(availabilityOf("abc"))).status, 400);
    assert.equal((await server().fetch(availabilityOf(999))).status, 404);
  });
});
