/**
 * Routing through the service layer on every backend: Offer and Assign modes, declines,
 * pick-ups that withdraw an offer, Pull left as it was, and fairness across equal agents.
 * Lapses, ghost agents and heartbeats are in routing-lapse.test.ts.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import type { Actor } from "../src/domain/presence.ts";
import type { RoutingOrder } from "../src/domain/routing.ts";
import { EMPTY_CUSTOMER } from "../src/domain/session.ts";
import { BACKENDS } from "./support/backends.ts";
import { routedServices } from "./support/routing.ts";

const ADMIN: Actor = { userId: 1, username: "anna", role: "admin" };
const agent = (userId: number): Actor => ({ userId, username: `agent${userId}`, role: "agent" });
const customer = (topicId: number) => ({ topicId, customer: { ...EMPTY_CUSTOMER, name: "C" } });

for (const backend of BACKENDS) {
  const test = (name: string, body: Parameters<typeof routedServices>[1]) =>
    it(`${name}: ${backend.name}`, { skip: backend.skip }, () => routedServices(backend, body));

  test("Pull mode leaves a queued session to the agents", async ({ services, topic }) => {
    const session = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    assert.equal((await services.sessions.get(ADMIN, session.id)).status, "InQueue");
    for (const id of topic.agents) assert.deepEqual(await services.routing.offers(agent(id)), []);
  });

  test("Offer mode offers a queued session to one agent; accepting assigns it", async (t) => {
    const { services, topic, sink } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
    const session = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    const offers = await Promise.all(topic.agents.map((id) => services.routing.offers(agent(id))));
    assert.equal(offers.flat().length, 1, "offered to exactly one agent");
    const [offer] = offers.flat();
    assert.equal(offer.chatSessionId, session.id);
    assert.equal(offer.expiresAt - offer.offeredAt, 30_000);
    const taken = await services.routing.accept(agent(offer.userId), session.id);
    assert.equal(taken.status, "UserLast");
    assert.equal(taken.user?.id, offer.userId);
    assert.ok(taken.whenStarted !== null && taken.whenStarted >= offer.offeredAt);
    const presence = await services.presence.getAll();
    assert.equal(presence.presence.find((p) => p.UserId === offer.userId)?.OngoingChats, 1);
    assert.deepEqual(
      sink.events.map((e) => e.type),
      ["queued", "offered", "assigned", "capacity"],
    );
    assert.equal(sink.of("assigned")[0].detail.how, "offer");
    await assert.rejects(
      services.routing.accept(agent(offer.userId), session.id),
      (error) => error instanceof PresenceError && error.code === "PRES_ERR_NO_OFFER",
    );
  });

  test("a declined offer goes to the next available agent", async ({ services, topic }) => {
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
    const session = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    const offered = async () =>
      (await Promise.all(topic.agents.map((id) => services.routing.offers(agent(id))))).flat();
    const [first] = await offered();
    await services.routing.decline(agent(first.userId), session.id);
    await services.routing.settled();
    const [second] = await offered();
    assert.equal(second.chatSessionId, session.id);
    assert.notEqual(second.userId, first.userId);
  });

  test("a pick-up takes an offered session and withdraws the offer", async (t) => {
    const { services, topic } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Offer" });
    const session = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    const offers = await Promise.all(topic.agents.map((id) => services.routing.offers(agent(id))));
    const [offer] = offers.flat();
    const picker = topic.agents.find((id) => id !== offer.userId) as number;
    const picked = await services.sessions.pickUp(agent(picker), session.id);
    assert.equal(picked.user?.id, picker);
    assert.deepEqual(await services.routing.offers(agent(offer.userId)), []);
    await assert.rejects(
      services.routing.accept(agent(offer.userId), session.id),
      (error) => error instanceof PresenceError && error.code === "PRES_ERR_NO_OFFER",
    );
    await services.routing.settled();
    assert.equal(t.sink.of("assigned")[0].detail.how, "pickup");
    assert.deepEqual(
      t.sink.of("offer_lapsed").map((e) => [e.chatSessionId, e.userId, e.detail.reason]),
      [[session.id, offer.userId, "withdrawn"]],
      "the offer's end is told",
    );
    // PickUpFirstChatSession too: the oldest waiting session, offered or not, and its offer goes.
    const next = await services.sessions.create(customer(topic.topicId));
    await services.routing.settled();
    const [nextOffer] = (
      await Promise.all(topic.agents.map((id) => services.routing.offers(agent(id))))
    ).flat();
    assert.equal(nextOffer.chatSessionId, next.id);
    const other = topic.agents.find((id) => id !== nextOffer.userId && id !== picker) as number;
    assert.equal((await services.sessions.pickUpFirst(agent(other)))?.id, next.id);
    assert.deepEqual(await services.routing.offers(agent(nextOffer.userId)), []);
  });

  test("Assign mode gives queued sessions to agents at once, up to their limits", async (t) => {
    const { services, topic } = t;
    await services.routing.setSettings(ADMIN, topic.topicId, {
      Mode: "Assign",
      MaxChatsPerAgent: 2,
    });
    const sessions = [];
    for (let i = 0; i < 7; i++)
      sessions.push(await services.sessions.create(customer(topic.topicId)));
    await services.routing.settled();
    const after = await Promise.all(sessions.map((s) => services.sessions.get(ADMIN, s.id)));
    const assigned = after.filter((s) => s.status === "UserLast");
    assert.equal(assigned.length, 6, "three agents with two places each");
    assert.deepEqual(
      after.filter((s) => s.status === "InQueue").map((s) => s.id),
      [sessions[6].id],
      "the newest waits",
    );
    for (const s of assigned) assert.ok(s.whenStarted !== null);
    // A chat ending frees a place: the waiting session is assigned without anyone asking.
    const first = assigned[0];
    await services.sessions.save(agent(first.user?.id as number), first.id, { status: "Finished" });
    await services.routing.settled();
    assert.equal((await services.sessions.get(ADMIN, sessions[6].id)).user?.id, first.user?.id);
  });

  test("a waiting session is routed when an agent comes, or a limit is raised", async (t) => {
    const { services, topic } = t;
    const [first, second] = topic.agents;
    await services.presence.save(ADMIN, [
      { userId: first, present: false },
      { userId: topic.agents[2], present: false },
    ]);
    await services.routing.setSettings(ADMIN, topic.topicId, {
      Mode: "Assign",
      MaxChatsPerAgent: 1,
    });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await services.sessions.create(customer(topic.topicId))).id);
    await services.routing.settled();
    const holder = async (id: number) => (await services.sessions.get(ADMIN, id)).user?.id ?? null;
    assert.deepEqual(await Promise.all(ids.map(holder)), [second, null, null]);
    await services.presence.save(agent(first), [{ userId: first, present: true }]);
    await services.routing.settled();
    assert.deepEqual(await Promise.all(ids.map(holder)), [second, first, null], "presence on");
    await services.topics.setMaxChatsPerAgent(ADMIN, topic.topicId, 2);
    await services.routing.settled();
    assert.notEqual(await holder(ids[2]), null, "a raised limit");
  });

  for (const order of ["LeastBusy", "RoundRobin"] as RoutingOrder[]) {
    test(`${order} spreads assignments across equal agents within one`, async (t) => {
      const { services, topic } = t;
      await services.routing.setSettings(ADMIN, topic.topicId, { Mode: "Assign", Order: order });
      for (let i = 0; i < 10; i++) {
        await services.sessions.create(customer(topic.topicId));
        await services.routing.settled();
      }
      const counts = (await services.presence.getAll()).presence
        .filter((p) => topic.agents.includes(p.UserId))
        .map((p) => p.OngoingChats);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        10,
      );
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `spread ${counts}`);
    });
  }
}
