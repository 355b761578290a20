/**
 * The routing store contract on every backend: settings, who is available, and each decision
 * (offer, accept, decline, lapse, withdraw, assign) made atomically.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { DEFAULT_ROUTING } from "../../src/domain/routing.ts";
import { pickUp } from "../../src/domain/session.ts";
import { BACKENDS } from "../support/backends.ts";
import { queueSessions, routedTopic } from "../support/routing.ts";
import { describeStore, resetStore } from "../support/store-contract.ts";

const T0 = 1_800_000_000_000;

for (const backend of BACKENDS) {
  describeStore("routing store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("a topic routes by Pull until its settings are stored; unknown topics have none", async () => {
      assert.deepEqual((await store.getTopicRouting(10))?.settings, DEFAULT_ROUTING);
      assert.equal(await store.getTopicRouting(999), null);
      const settings = {
        mode: "Offer",
        offerSeconds: 5,
        order: "RoundRobin",
        missedOffersBeforeAway: 0,
      } as const;
      assert.equal(await store.setRoutingSettings(10, settings), true);
      assert.deepEqual(await store.getTopicRouting(10), { settings, lastChosen: null });
      assert.equal(await store.setRoutingSettings(999, settings), false);
      assert.deepEqual(await store.routedTopicIds(), [10]);
    });

    it("available agents are present, respond in the topic, have room and no open offer", async () => {
      const { topicId, agents } = await routedTopic(store, 4, { maxChats: 1 });
      const [a, b, c, d] = agents;
      await store.savePresence([{ userId: b, present: false }]);
      const [busy, offered] = await queueSessions(store, topicId, 2, T0);
      await store.updateSessionIf(busy, pickUp(c, T0));
      assert.ok(await store.offerSession(offered, d, T0, T0 + 30_000));
      const available = await store.availableAgents(topicId, T0);
      assert.deepEqual(
        available.map((x) => x.userId),
        [a],
      );
      assert.deepEqual(available[0], {
        userId: a,
        ongoingChats: 0,
        ongoingInTopic: 0,
        maxChats: 1,
        maxChatsPerAgent: 0,
        lastAssignedAt: null,
      });
    });

    it("an agent past their heartbeat deadline is not available, before expiry runs", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      await store.renewPresence(agents, T0, 10);
      assert.equal((await store.availableAgents(topicId, T0 + 9_000)).length, 1);
      assert.equal((await store.availableAgents(topicId, T0 + 10_000)).length, 0);
    });

    it("one open offer per session and per agent; the cursor moves to the agent offered", async () => {
      const { topicId, agents } = await routedTopic(store, 2);
      const [s1, s2] = await queueSessions(store, topicId, 2, T0);
      const offer = await store.offerSession(s1, agents[0], T0, T0 + 30_000);
      assert.deepEqual(offer, {
        chatSessionId: s1,
        topicId,
        userId: agents[0],
        offeredAt: T0,
        expiresAt: T0 + 30_000,
      });
      assert.equal(await store.offerSession(s1, agents[1], T0, T0 + 30_000), null);
      assert.equal(await store.offerSession(s2, agents[0], T0, T0 + 30_000), null);
      assert.equal((await store.getTopicRouting(topicId))?.lastChosen, agents[0]);
      assert.deepEqual(
        (await store.unofferedQueue(topicId, 10)).map((q) => q.id),
        [s2],
      );
      assert.deepEqual(await store.offersOf(agents[0]), [offer]);
      assert.deepEqual(await store.topicOffers(topicId), [offer]);
      assert.equal(await store.nextOfferExpiry(), T0 + 30_000);
    });

    it("a session no longer queued is not offered", async () => {
      const { topicId, agents } = await routedTopic(store, 2);
      const [s1] = await queueSessions(store, topicId, 1, T0);
      await store.updateSessionIf(s1, pickUp(agents[1], T0));
      assert.equal(await store.offerSession(s1, agents[0], T0, T0 + 30_000), null);
    });

    it("accepting an open offer assigns the session with WhenStarted and ends the offer", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      const [s1] = await queueSessions(store, topicId, 1, T0);
      await store.offerSession(s1, agents[0], T0, T0 + 30_000);
      const taken = await store.acceptOffer(s1, agents[0], T0 + 4_000);
      assert.ok("session" in taken);
      assert.equal(taken.session.status, "UserLast");
      assert.equal(taken.session.user?.id, agents[0]);
      assert.equal(taken.session.whenStarted, T0 + 4_000);
      assert.deepEqual(await store.offersOf(agents[0]), []);
      assert.deepEqual(await store.acceptOffer(s1, agents[0], T0 + 5_000), { refused: "no_offer" });
      assert.deepEqual(await store.acceptStats(topicId), {
        lastAccept: T0 + 4_000,
        secondsPerAccept: 4,
      });
    });

    it("an expired, a withdrawn or someone else's offer cannot be accepted", async () => {
      const { topicId, agents } = await routedTopic(store, 2);
      const [s1, s2] = await queueSessions(store, topicId, 2, T0);
      await store.offerSession(s1, agents[0], T0, T0 + 30_000);
      assert.deepEqual(await store.acceptOffer(s1, agents[1], T0), { refused: "no_offer" });
      assert.deepEqual(await store.acceptOffer(s1, agents[0], T0 + 30_000), {
        refused: "no_offer",
      });
      assert.equal((await store.lapseOffers(T0 + 30_000)).length, 1, "left for the lapse");
      await store.offerSession(s2, agents[1], T0, T0 + 30_000);
      assert.equal((await store.withdrawSessionOffer(s2))?.userId, agents[1]);
      assert.deepEqual(await store.acceptOffer(s2, agents[1], T0), { refused: "no_offer" });
    });

    it("an accept over the agent's limit is refused at capacity", async () => {
      const { topicId, agents } = await routedTopic(store, 1, { maxChats: 1 });
      const [s1, s2] = await queueSessions(store, topicId, 2, T0);
      await store.offerSession(s1, agents[0], T0, T0 + 30_000);
      await store.updateSessionIf(s2, pickUp(agents[0], T0));
      assert.deepEqual(await store.acceptOffer(s1, agents[0], T0 + 1), { refused: "at_capacity" });
      assert.equal((await store.getSession(s1))?.status, "InQueue");
    });

    it("an offer lapses once and counts a consecutive miss; an accept or decline resets it", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      const [s1, s2, s3] = await queueSessions(store, topicId, 3, T0);
      await store.offerSession(s1, agents[0], T0, T0 + 1_000);
      assert.deepEqual(await store.lapseOffers(T0 + 999), []);
      const [lapsed] = await store.lapseOffers(T0 + 1_000);
      assert.equal(lapsed.missedOffers, 1);
      assert.deepEqual(await store.lapseOffers(T0 + 2_000), [], "only once");
      await store.offerSession(s2, agents[0], T0, T0 + 1_000);
      assert.equal((await store.lapseOffers(T0 + 5_000))[0].missedOffers, 2);
      await store.offerSession(s3, agents[0], T0, T0 + 9_000);
      assert.equal((await store.declineOffer(s3, agents[0]))?.chatSessionId, s3);
      assert.equal(await store.declineOffer(s3, agents[0]), null);
      await store.offerSession(s1, agents[0], T0, T0 + 1_000);
      assert.equal(
        (await store.lapseOffers(T0 + 5_000))[0].missedOffers,
        1,
        "reset by the decline",
      );
    });

    it("withdrawing ends an agent's offers, and offers no longer acceptable", async () => {
      const { topicId, agents } = await routedTopic(store, 3);
      const [s1, s2, s3] = await queueSessions(store, topicId, 3, T0);
      for (const [i, s] of [s1, s2, s3].entries())
        await store.offerSession(s, agents[i], T0, T0 + 60_000);
      assert.deepEqual(
        (await store.withdrawAgentOffers([agents[0]])).map((o) => o.chatSessionId),
        [s1],
      );
      await store.updateSessionIf(s2, pickUp(agents[0], T0));
      await store.savePresence([{ userId: agents[2], present: false }]);
      const stale = await store.withdrawStaleOffers(T0);
      assert.deepEqual(stale.map((o) => o.chatSessionId).sort(), [s2, s3].sort());
      assert.deepEqual(await store.topicOffers(topicId), []);
    });

    it("assigning takes a queued session for an available agent under their limit", async () => {
      const { topicId, agents } = await routedTopic(store, 2, { maxChats: 1 });
      const [s1, s2, s3] = await queueSessions(store, topicId, 3, T0);
      const taken = await store.assignSession(s1, agents[0], T0 + 2_000);
      assert.ok("session" in taken && taken.session.user?.id === agents[0]);
      assert.equal((await store.getTopicRouting(topicId))?.lastChosen, agents[0]);
      assert.deepEqual(await store.assignSession(s1, agents[1], T0), { refused: "not_in_queue" });
      assert.deepEqual(await store.assignSession(s2, agents[0], T0), { refused: "at_capacity" });
      await store.savePresence([{ userId: agents[1], present: false }]);
      assert.deepEqual(await store.assignSession(s3, agents[1], T0), { refused: "unavailable" });
      const [candidate] = await store.availableAgents(topicId, T0);
      assert.equal(candidate, undefined, "the one with room is absent, the other is full");
    });

    it("the last assignment time is the agent's newest WhenStarted", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      const [s1] = await queueSessions(store, topicId, 1, T0);
      await store.assignSession(s1, agents[0], T0 + 7);
      const [candidate] = await store.availableAgents(topicId, T0);
      assert.equal(candidate.lastAssignedAt, T0 + 7);
      assert.equal(candidate.ongoingChats, 1);
    });
  });
}
