/** The sessions part of the store contract: every change to a chat is one conditional write. */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import {
  acceptTransfer,
  offerTransfer,
  pickUp,
  rejectTransfer,
  reset,
} from "../../src/domain/session.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  coded,
  describeStore,
  directory,
  queued,
  resetStore,
  type StoreFactory,
} from "../support/store-contract.ts";

function sessionsSuite(backend: StoreFactory): void {
  describeStore("sessions store", backend, (store) => {
    beforeEach(() => resetStore(store));

    it("creates queued sessions with their queue position and joined users", async () => {
      const first = await store.createSession(queued(20));
      const second = await store.createSession(queued(20));
      assert.equal(first.status, "InQueue");
      assert.equal(first.initialQueuePos, 2, "session 103 was already waiting");
      assert.equal(second.initialQueuePos, 3);
      assert.equal(first.user, null);
      assert.equal(first.customer.name, "Customer");
      assert.equal((await store.getSession(100))?.user?.username, "bo");
      await assert.rejects(store.createSession(queued(999)), coded("PRES_ERR_NO_TOPIC"));
    });

    it("counts concurrent creates' queue positions from the sessions already waiting", async () => {
      const created = await Promise.all(
        Array.from({ length: 20 }, () => store.createSession(queued(20))),
      );
      // Each is 1 + the queued sessions committed before it: 103 at least, at most all the others.
      for (const { initialQueuePos } of created) {
        assert.ok(initialQueuePos >= 2 && initialQueuePos <= 21, `${initialQueuePos}`);
      }
      assert.equal(new Set(created.map((s) => s.id)).size, 20);
      assert.equal((await store.createSession(queued(20))).initialQueuePos, 22, "all 21 seen");
    });

    it("gives new sessions ids past every imported one, and an import never reuses one", async () => {
      const before = await store.createSession(queued(20));
      const imported = {
        id: before.id + 500,
        topicId: 20,
        userId: null,
        status: "InQueue" as const,
      };
      await store.importDirectory({ ...directory(), sessions: [imported] });
      const next = await store.createSession(queued(20));
      assert.equal(next.id, imported.id + 1);
      const lower = { id: before.id + 1, topicId: 10, userId: 2, status: "UserLast" as const };
      await store.importDirectory({ ...directory(), sessions: [lower] });
      const after = await store.createSession(queued(10));
      assert.ok(after.id > next.id, `${after.id} after ${next.id}`);
      assert.equal((await store.getSession(next.id))?.topicId, 20, "not overwritten");
    });

    it("lists sessions by topic and by what a user may see", async () => {
      assert.deepEqual(
        (await store.listSessions({ topicId: 20 })).map((s) => s.id),
        [102, 103],
      );
      assert.deepEqual(
        (await store.listSessions({ visibleTo: 3 })).map((s) => s.id),
        [],
        "cy has no rights and no sessions",
      );
      await store.updateSessionIf(101, offerTransfer(2, 3));
      assert.deepEqual(
        (await store.listSessions({ visibleTo: 3 })).map((s) => s.id),
        [101],
        "a session offered to cy",
      );
      assert.equal((await store.listSessions({})).length, 4);
    });

    it("lets exactly one of many concurrent pick-ups win", async () => {
      const users = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.createUser({
            username: `agent${i}`,
            displayName: `A${i}`,
            role: "agent",
            passwordHash: null,
          }),
        ),
      );
      const now = Date.now();
      const results = await Promise.all(
        users.map((u) => store.updateSessionIf(103, pickUp(u.id, now))),
      );
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const session = await store.getSession(103);
      assert.equal(session?.status, "UserLast");
      assert.equal(session?.user?.id, winners[0]?.user?.id);
      assert.equal(session?.whenStarted, now);
    });

    it("picks up the oldest queued session in the given topics, each once", async () => {
      const old = await store.createSession(queued(10, 1_000));
      await store.createSession(queued(10, 5_000));
      const first = await store.pickUpFirstSession(3, [10], 9_000);
      assert.equal(first?.id, old.id);
      assert.equal(first?.user?.id, 3);
      assert.equal(await store.pickUpFirstSession(3, [999], 9_000), null);
      const many = await Promise.all(
        [1, 2, 3, 1, 2, 3].map((u) => store.pickUpFirstSession(u, null, 9_000)),
      );
      const picked = many.filter((s) => s !== null).map((s) => s?.id);
      assert.equal(picked.length, 2, "two sessions were still waiting (one in 10, 103 in 20)");
      assert.equal(new Set(picked).size, 2, "no session was picked twice");
    });

    it("transfers only the owner's chat, to be accepted or rejected by the target", async () => {
      assert.equal(await store.updateSessionIf(100, offerTransfer(3, 1)), null, "not cy's chat");
      const offered = await store.updateSessionIf(100, offerTransfer(2, 3));
      assert.equal(offered?.transferTo?.username, "cy");
      assert.equal(
        await store.updateSessionIf(100, acceptTransfer(1)),
        null,
        "not offered to anna",
      );
      const accepted = await store.updateSessionIf(100, acceptTransfer(3));
      assert.deepEqual([accepted?.user?.id, accepted?.transferTo], [3, null]);
      await store.updateSessionIf(100, offerTransfer(3, 2));
      const rejected = await store.updateSessionIf(100, rejectTransfer(2));
      assert.deepEqual([rejected?.user?.id, rejected?.transferTo], [3, null]);
      assert.equal(await store.updateSessionIf(100, rejectTransfer(2)), null, "nothing to reject");
      await assert.rejects(
        store.updateSessionIf(100, offerTransfer(3, 999)),
        coded("PRES_ERR_NO_USER"),
      );
    });

    it("resets an ongoing chat to the queue and refuses others", async () => {
      const back = await store.updateSessionIf(101, reset());
      assert.deepEqual([back?.status, back?.user, back?.whenStarted], ["InQueue", null, null]);
      assert.equal(await store.updateSessionIf(102, reset()), null, "a finished chat stays");
      assert.equal((await store.presenceOf([2]))[0].OngoingChats, 1);
    });

    it("deletes sessions and returns them as they were", async () => {
      assert.equal((await store.deleteSession(100))?.user?.id, 2);
      assert.equal(await store.deleteSession(100), null);
      assert.equal(await store.getSession(100), null);
    });
  });
}

for (const backend of BACKENDS) sessionsSuite(backend);
