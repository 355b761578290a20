/**
 * The queue store contract on every backend: a topic's waiting sessions in routing order with
 * the agent each is offered to, present responders (a passed heartbeat deadline counts as
 * gone), the rolling wait measurement, the queue figures of one topic or all, and the loads
 * of present responders.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { RECENT_ACCEPTS } from "../../src/domain/queue.ts";
import { pickUp } from "../../src/domain/session.ts";
import { BACKENDS } from "../support/backends.ts";
import { queueSessions, routedTopic } from "../support/routing.ts";
import { describeStore, resetStore } from "../support/store-contract.ts";

const T0 = 1_800_000_000_000;

for (const backend of BACKENDS) {
  describeStore("queue store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("lists the topic's waiting sessions oldest first (not by id), with their offers", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      const [late] = await queueSessions(store, topicId, 1, T0 + 50);
      const [early, next] = await queueSessions(store, topicId, 2, T0);
      const [taken] = await queueSessions(store, topicId, 1, T0 - 10);
      await store.updateSessionIf(taken, pickUp(agents[0], T0));
      assert.ok(await store.offerSession(late, agents[0], T0, T0 + 30_000));

      const queue = await store.topicQueue(topicId);
      assert.deepEqual(
        queue.map((e) => e.id),
        [early, next, late],
      );
      assert.deepEqual(queue[0], { id: early, whenRequested: T0, offeredTo: null });
      assert.equal(queue[2].offeredTo?.id, agents[0]);
      assert.match(queue[2].offeredTo?.username ?? "", /^router/);
      assert.match(queue[2].offeredTo?.displayName ?? "", /^Agent /);
      assert.deepEqual(await store.topicQueue(999), []);
    });

    it("counts present responders; a passed deadline or no CanRespond does not count", async () => {
      const { topicId, agents } = await routedTopic(store, 3);
      assert.equal(await store.presentResponders(topicId, T0), 3);
      await store.savePresence([{ userId: agents[0], present: false }]);
      await store.renewPresence([agents[1]], T0, 60);
      assert.equal(await store.presentResponders(topicId, T0), 2);
      assert.equal(await store.presentResponders(topicId, T0 + 61_000), 1, "deadline passed");
      await store.upsertMembers(topicId, [
        {
          userId: agents[2],
          canListen: true,
          canRespond: false,
          canManage: false,
          canNotify: false,
        },
      ]);
      assert.equal(await store.presentResponders(topicId, T0), 1);
    });

    it("measures the wait over the newest RECENT_ACCEPTS accepts only (SecondsPrAccept)", async () => {
      const { topicId, agents } = await routedTopic(store, 1);
      const take = async (requested: number, waitMs: number) => {
        const [id] = await queueSessions(store, topicId, 1, requested);
        await store.updateSessionIf(id, pickUp(agents[0], requested + waitMs));
      };
      assert.deepEqual(await store.acceptStats(topicId), {
        lastAccept: null,
        secondsPerAccept: null,
      });
      for (let i = 0; i < 5; i++) await take(T0 + i * 1000, 600_000);
      assert.equal((await store.acceptStats(topicId)).secondsPerAccept, 600);
      // Taken later: the old slow ones fall out of the window.
      for (let i = 0; i < RECENT_ACCEPTS; i++) await take(T0 + 3_600_000 + i * 1000, 60_000);
      assert.deepEqual(await store.acceptStats(topicId), {
        lastAccept: T0 + 3_600_000 + (RECENT_ACCEPTS - 1) * 1000 + 60_000,
        secondsPerAccept: 60,
      });
      await take(T0 + 7_200_000, 120_000);
      const mean = (60 * (RECENT_ACCEPTS - 1) + 120) / RECENT_ACCEPTS;
      assert.equal((await store.acceptStats(topicId)).secondsPerAccept, Math.round(mean));
    });

    it("gives the queue figures of one topic, or of every topic with a session waiting", async () => {
      const first = await routedTopic(store, 1);
      const second = await routedTopic(store, 1);
      await queueSessions(store, first.topicId, 3, T0);
      await queueSessions(store, second.topicId, 1, T0 + 500);
      assert.deepEqual(await store.queueFigures(first.topicId), [
        { topicId: first.topicId, queueLength: 3, oldestRequested: T0 },
      ]);
      const all = await store.queueFigures(null);
      assert.deepEqual(
        all.filter((f) => f.topicId === first.topicId || f.topicId === second.topicId),
        [
          { topicId: first.topicId, queueLength: 3, oldestRequested: T0 },
          { topicId: second.topicId, queueLength: 1, oldestRequested: T0 + 500 },
        ],
      );
      const empty = await routedTopic(store, 1);
      assert.deepEqual(await store.queueFigures(empty.topicId), []);
    });

    it("gives present responders' loads: chats in every topic and in this one, with limits", async () => {
      const one = await routedTopic(store, 2, { maxChats: 3 });
      const other = await routedTopic(store, 0);
      await store.upsertMembers(other.topicId, [
        {
          userId: one.agents[0],
          canListen: false,
          canRespond: true,
          canManage: false,
          canNotify: false,
        },
      ]);
      await store.setMaxChatsPerAgent(one.topicId, 2);
      const [here] = await queueSessions(store, one.topicId, 1, T0);
      const [there] = await queueSessions(store, other.topicId, 1, T0);
      await store.updateSessionIf(here, pickUp(one.agents[0], T0));
      await store.updateSessionIf(there, pickUp(one.agents[0], T0));
      const loads = (await store.responderLoads(T0)).filter(
        (l) => l.topicId === one.topicId || l.topicId === other.topicId,
      );
      assert.deepEqual(loads, [
        {
          topicId: one.topicId,
          ongoingChats: 2,
          ongoingInTopic: 1,
          maxChats: 3,
          maxChatsPerAgent: 2,
        },
        {
          topicId: one.topicId,
          ongoingChats: 0,
          ongoingInTopic: 0,
          maxChats: 3,
          maxChatsPerAgent: 2,
        },
        {
          topicId: other.topicId,
          ongoingChats: 2,
          ongoingInTopic: 1,
          maxChats: 3,
          maxChatsPerAgent: 0,
        },
      ]);
    });
  });
}
