/**
 * The capacity part of the store contract: MaxChats per user (all their ongoing chats) and
 * MaxChatsPerAgent per topic (their ongoing chats there), checked in the write that assigns.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import {
  acceptTransfer,
  type ChatSessionRecord,
  edit,
  offerTransfer,
  pickUp,
} from "../../src/domain/session.ts";
import type { Store } from "../../src/store/store.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  describeStore,
  directory,
  queued,
  resetStore,
  type StoreFactory,
  topicInput,
} from "../support/store-contract.ts";

const ROUNDS = 20;

async function queue(store: Store, topicId: number, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push((await store.createSession(queued(topicId))).id);
  return ids;
}

async function agent(store: Store, name: string, maxChats = 0) {
  return store.createUser({
    username: name,
    displayName: name,
    role: "agent",
    passwordHash: null,
    maxChats,
  });
}

async function ongoingOf(store: Store, userId: number): Promise<number> {
  return (await store.presenceOf([userId]))[0].OngoingChats;
}

const won = (results: (ChatSessionRecord | null)[]) => results.filter((r) => r !== null);

function capacitySuite(backend: StoreFactory): void {
  describeStore("capacity", backend, (store) => {
    beforeEach(async () => {
      await resetStore(store);
      // Limits are kept by an import that leaves them out: back to none for the fixture users.
      for (const id of [1, 2, 3]) await store.updateUser(id, { maxChats: 0 });
    });

    it("without limits (the default) an agent takes any number of chats", async () => {
      const free = await agent(store, "free");
      assert.equal(free.maxChats, 0);
      assert.equal((await store.getTopic(10))?.maxChatsPerAgent, 0);
      const ids = await queue(store, 10, 6);
      for (const id of ids) assert.ok(await store.updateSessionIf(id, pickUp(free.id, 1)));
      assert.equal(await ongoingOf(store, free.id), 6);
    });

    it("MaxChats counts the user's ongoing chats in every topic; a refusal changes nothing", async () => {
      assert.equal((await store.updateUser(2, { maxChats: 3 }))?.maxChats, 3);
      assert.equal(await ongoingOf(store, 2), 2, "bo has 100 and 101 in topic 10");
      const [next] = await queue(store, 20, 1);
      assert.ok(await store.updateSessionIf(103, pickUp(2, 1)), "the third chat fits");
      assert.equal(await store.updateSessionIf(next, pickUp(2, 1)), null, "a fourth does not");
      const refused = await store.getSession(next);
      assert.deepEqual([refused?.status, refused?.user], ["InQueue", null]);
      assert.equal(await ongoingOf(store, 2), 3, "OngoingChats as before");
      const finished = await store.updateSessionIf(100, {
        condition: {},
        changes: { status: "Finished" },
      });
      assert.equal(finished?.status, "Finished");
      assert.ok(await store.updateSessionIf(next, pickUp(2, 1)), "a finished chat frees a place");
      await store.updateUser(2, { maxChats: 1 });
      const [later] = await queue(store, 20, 1);
      assert.equal(await store.updateSessionIf(later, pickUp(2, 1)), null, "lowered below count");
      assert.equal(await ongoingOf(store, 2), 3, "chats already ongoing stay");
    });

    it("MaxChatsPerAgent counts the agent's chats in that topic; the smaller limit binds", async () => {
      assert.equal((await store.setMaxChatsPerAgent(10, 2))?.maxChatsPerAgent, 2);
      assert.equal(await store.setMaxChatsPerAgent(9999, 2), null);
      const saved = await store.updateTopic(10, topicInput("Sales"));
      assert.equal(saved?.maxChatsPerAgent, 2, "saving the topic entity keeps the limit");
      const [in10] = await queue(store, 10, 1);
      assert.equal(await store.updateSessionIf(in10, pickUp(2, 1)), null, "bo is full in 10");
      assert.ok(await store.updateSessionIf(103, pickUp(2, 1)), "but not in 20");
      await store.updateUser(3, { maxChats: 5 });
      await store.setMaxChatsPerAgent(20, 1);
      const more20 = await queue(store, 20, 2);
      const more10 = await queue(store, 10, 3);
      assert.ok(await store.updateSessionIf(more20[0], pickUp(3, 1)));
      assert.equal(await store.updateSessionIf(more20[1], pickUp(3, 1)), null, "1 in topic 20");
      assert.ok(await store.updateSessionIf(in10, pickUp(3, 1)));
      assert.ok(await store.updateSessionIf(more10[0], pickUp(3, 1)));
      assert.equal(await store.updateSessionIf(more10[1], pickUp(3, 1)), null, "2 in topic 10");
      await store.updateUser(3, { maxChats: 2 });
      await store.setMaxChatsPerAgent(10, 0);
      assert.equal(await store.updateSessionIf(more10[1], pickUp(3, 1)), null, "3 of MaxChats 2");
      assert.equal(await ongoingOf(store, 3), 3);
    });

    it("an accepted transfer and a reassignment are refused at capacity", async () => {
      await store.updateUser(3, { maxChats: 1 });
      const [own] = await queue(store, 10, 1);
      assert.ok(await store.updateSessionIf(own, pickUp(3, 1)));
      assert.ok(await store.updateSessionIf(100, offerTransfer(2, 3)), "an offer is no chat yet");
      assert.equal(await store.updateSessionIf(100, acceptTransfer(3)), null);
      const offered = await store.getSession(100);
      assert.deepEqual([offered?.user?.id, offered?.transferTo?.id], [2, 3], "still offered");
      const before = (await store.getSession(101)) as ChatSessionRecord;
      assert.equal(await store.updateSessionIf(101, edit(before, { userId: 3 }, 1)), null);
      assert.equal((await store.getSession(101))?.user?.id, 2);
      await store.updateUser(3, { maxChats: 2 });
      assert.equal((await store.updateSessionIf(100, acceptTransfer(3)))?.user?.id, 3);
      assert.equal(await ongoingOf(store, 3), 2);
    });

    it("the first-in-queue pick-up passes over topics where the agent is full", async () => {
      await store.deleteSession(103);
      const old10 = (await store.createSession(queued(10, 1_000))).id;
      const new20 = (await store.createSession(queued(20, 5_000))).id;
      await store.setMaxChatsPerAgent(10, 2);
      assert.equal((await store.pickUpFirstSession(2, null, 9_000))?.id, new20);
      assert.equal(await store.waitingBeyondCapacity(2, null), true, "old10 waits, bo is full");
      assert.equal(await store.pickUpFirstSession(2, null, 9_000), null);
      assert.equal(await store.waitingBeyondCapacity(2, [20]), false, "not in topic 20");
      assert.equal(await store.waitingBeyondCapacity(3, null), false, "cy has room");
      assert.equal((await store.pickUpFirstSession(3, [10], 9_000))?.id, old10);
      assert.equal(await store.waitingBeyondCapacity(2, null), false, "nothing waits");
    });

    it("imports maxChats and maxChatsPerAgent; left out they are kept, 0 lifts them", async () => {
      const data = directory();
      data.users[2].maxChats = 4;
      data.topics[0].maxChatsPerAgent = 2;
      await store.importDirectory(data);
      assert.equal((await store.getUser(3))?.maxChats, 4);
      assert.equal((await store.getTopic(10))?.maxChatsPerAgent, 2);
      await store.importDirectory(directory());
      assert.equal((await store.getUser(3))?.maxChats, 4, "kept");
      assert.equal((await store.getTopic(10))?.maxChatsPerAgent, 2, "kept");
      data.users[2].maxChats = 0;
      data.topics[0].maxChatsPerAgent = 0;
      data.users.push({ ...data.users[2], id: 7, username: "new", maxChats: undefined });
      await store.importDirectory(data);
      assert.equal((await store.getUser(3))?.maxChats, 0);
      assert.equal((await store.getTopic(10))?.maxChatsPerAgent, 0);
      assert.equal((await store.getUser(7))?.maxChats, 0, "a new user without one: no limit");
    });

    for (const limit of ["MaxChats", "MaxChatsPerAgent"] as const) {
      it(`${limit} 2: ten concurrent pick-ups of ten sessions, exactly two win, each round`, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const racer = await agent(store, `racer${round}`, limit === "MaxChats" ? 2 : 0);
          await store.setMaxChatsPerAgent(10, limit === "MaxChats" ? 0 : 2);
          const ids = await queue(store, 10, 10);
          const results = await Promise.all(
            ids.map((id, i) =>
              i % 2 === 0
                ? store.updateSessionIf(id, pickUp(racer.id, round))
                : store.pickUpFirstSession(racer.id, [10], round),
            ),
          );
          assert.equal(won(results).length, 2, `round ${round}`);
          assert.equal(await ongoingOf(store, racer.id), 2, `round ${round}`);
          for (const id of ids) await store.deleteSession(id);
        }
      });
    }

    it("mixed pick-ups and transfer acceptances by one agent at MaxChats 2: two win", async () => {
      const owner = await agent(store, "owner");
      for (let round = 0; round < ROUNDS; round++) {
        const racer = await agent(store, `mixed${round}`, 2);
        const waiting = await queue(store, 10, 5);
        const offered = await queue(store, 10, 5);
        for (const id of offered) {
          await store.updateSessionIf(id, pickUp(owner.id, round));
          await store.updateSessionIf(id, offerTransfer(owner.id, racer.id));
        }
        const results = await Promise.all([
          ...waiting.map((id) => store.updateSessionIf(id, pickUp(racer.id, round))),
          ...offered.map((id) => store.updateSessionIf(id, acceptTransfer(racer.id))),
        ]);
        assert.equal(won(results).length, 2, `round ${round}`);
        assert.equal(await ongoingOf(store, racer.id), 2, `round ${round}`);
        for (const id of [...waiting, ...offered]) await store.deleteSession(id);
      }
    });
  });
}

for (const backend of BACKENDS) capacitySuite(backend);
