/**
 * Offers that end without an answer, on every backend: a lapse lands within a second of
 * ExpiresAt and offers the session on, a ghost agent is set absent after the missed-offer
 * count (history Source routing), and an agent whose heartbeat lapses or who switches
 * presence off loses their offers at once. The sweep lapses offers no timer here knows of,
 * and ends those another node made to an agent who left here.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Actor } from "../src/domain/presence.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import { BACKENDS } from "./support/backends.ts";
import { queueSessions, routedServices } from "./support/routing.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };
const agent = (userId: number): Actor => ({ userId, username: `agent${userId}`, role: "agent" });
const customer = (topicId: number) => ({ topicId, customer: { ...EMPTY_CUSTOMER, name: "C" } });

/** Polls `check` until it returns something, for up to `ms`. */
async function eventually<T>(ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) assert.fail(`nothing within ${ms} ms`);
    await sleep(20);
  }
}

for (const backend of BACKENDS) {
  const test = (
    name: string,
    body: Parameters<typeof routedServices>[1],
    options?: Parameters<typeof routedServices>[2],
  ) =>
    it(`${name}: ${backend.name}`, { skip: backend.skip }, () =>
      routedServices(backend, body, options),
    );

  test("an unanswered offer lapses within a second of ExpiresAt and goes to the next agent", async (t) => {
    const { services, topic, sink } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer", OfferSeconds: 1 });
    await services.sessions.create(customer(topic.topicId));
    const lapsed = await eventually(4_000, async () => sink.of("offer_lapsed")[0]);
    const [offered] = sink.of("offered");
    const late = lapsed.at - (offered.detail.expiresAt as number);
    assert.ok(late >= 0 && late < 1_000, `lapsed ${late} ms after ExpiresAt`);
    assert.equal(lapsed.detail.reason, "expired");
    assert.equal(lapsed.userId, offered.userId);
    const next = await eventually(2_000, async () => sink.of("offered")[1]);
    assert.notEqual(next.userId, offered.userId, "offered to someone who has not let it pass");
  });

  test("after MissedOffersBeforeAway lapses in a row the agent is set absent, Source routing", async (t) => {
    const { services, store, topic, sink } = t;
    const [ghost, ...others] = topic.agents;
    await services.presence.save(
      ADMIN,
      others.map((userId) => ({ userId, present: false })),
    );
    await services.routing.setSettings(ADMIN, topic.topicId, {
      Mode: "Offer",
      OfferSeconds: 1,
      MissedOffersBeforeAway: 2,
    });
    const session = await services.sessions.create(customer(topic.topicId));
    await eventually(5_000, async () => (sink.of("offer_lapsed").length >= 2 ? true : undefined));
    await services.routing.settled();
    const [history] = (await store.queryHistory({ userId: ghost, limit: 1_000 })).slice(-1);
    assert.equal(history.Present, false);
    assert.equal(history.Source, "routing");
    assert.equal(history.ChangedBy, null);
    assert.deepEqual(
      await services.routing.offers(agent(ghost)),
      [],
      "no offer to an absent agent",
    );
    assert.equal((await services.sessions.get(ADMIN, session.id)).status, "InQueue");
  });

  test("switching presence off withdraws the agent's offer at once; it goes on", async (t) => {
    const { services, topic, sink } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
    const session = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    const [offered] = sink.of("offered");
    await services.presence.save(agent(offered.userId as number), [
      { userId: offered.userId as number, present: false },
    ]);
    assert.deepEqual(await services.routing.offers(agent(offered.userId as number)), []);
    assert.equal(sink.of("offer_lapsed")[0].detail.reason, "withdrawn");
    const next = await eventually(2_000, async () => sink.of("offered")[1]);
    assert.equal(next.chatSessionId, session.id);
    assert.notEqual(next.userId, offered.userId);
  });

  test(
    "a lapsed heartbeat withdraws the agent's offers",
    async (t) => {
      const { services, topic, sink } = t;
      await services.presence.save(
        ADMIN,
        topic.agents.map((userId) => ({ userId, present: true })),
      );
      await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
      await services.sessions.create(customer(topic.topicId));
      await services.routing.settled();
      const [offered] = sink.of("offered");
      await sleep(1_100);
      await services.presence.expireDue();
      assert.deepEqual(await services.routing.offers(agent(offered.userId as number)), []);
      assert.equal(sink.of("offer_lapsed")[0].detail.reason, "withdrawn");
    },
    { presenceTtlSeconds: 1 },
  );

  test("the sweep lapses an offer made elsewhere and routes the topic", async (t) => {
    const { services, store, topic, sink } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
    const [session] = await Promise.all([
      store.createSession({
        topicId: topic.topicId,
        status: "InQueue",
        customer: EMPTY_CUSTOMER,
        firstMessage: "",
        lastMessage: "",
        rating: 0,
        chatbotIsActive: false,
        whenRequested: Date.now(),
      }),
    ]);
    const now = Date.now();
    await store.offerSession(session.id, topic.agents[0], now, now + 50);
    await services.routing.sweep(now + 50);
    await services.routing.settled();
    assert.equal(sink.of("offer_lapsed")[0].userId, topic.agents[0]);
    const [next] = sink.of("offered");
    assert.equal(next.chatSessionId, session.id);
    assert.notEqual(next.userId, topic.agents[0]);
  });
}

for (const backend of BACKENDS) {
  it(
    `an offer made on another node to an agent who leaves here ends by the sweep: ${backend.name}`,
    { skip: backend.skip },
    () =>
      routedServices(backend, async ({ services, store, topic, sink }) => {
        await services.routing.sweep();
        // Another node sets the topic to Offer and offers a session before this one's next sweep.
        await store.setRoutingSettings(topic.topicId, {
          mode: "Offer",
          offerSeconds: 30,
          order: "LeastBusy",
          missedOffersBeforeAway: 3,
        });
        const [session] = await queueSessions(store, topic.topicId, 1);
        const [leaving] = topic.agents;
        await store.offerSession(session, leaving, Date.now(), Date.now() + 30_000);
        await services.presence.save(agent(leaving), [{ userId: leaving, present: false }]);
        await services.routing.sweep();
        await services.routing.settled();
        assert.deepEqual(await store.offersOf(leaving), []);
        assert.equal(sink.of("offer_lapsed")[0].detail.reason, "withdrawn");
        const [next] = sink.of("offered");
        assert.equal(next.chatSessionId, session);
        assert.notEqual(next.userId, leaving);
      }),
  );
}
