/**
 * The store contract for chat topics, members and sessions, written against the Store interface
 * only and run for every backend (test/store/chat.test.ts).
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { PresenceError } from "../../src/domain/errors.ts";
import { defaultOpeningHours } from "../../src/domain/opening-hours.ts";
import {
  acceptTransfer,
  EMPTY_CUSTOMER,
  type NewSession,
  offerTransfer,
  pickUp,
  rejectTransfer,
  reset,
} from "../../src/domain/session.ts";
import type { TopicInput } from "../../src/domain/topic.ts";
import type { Store } from "../../src/store/store.ts";
import { describeStore, directory, type StoreFactory } from "../support/store-contract.ts";

export const coded = (code: string) => (error: unknown) =>
  error instanceof PresenceError && error.code === code;

export function topicInput(name: string): TopicInput {
  return {
    name,
    description: `${name} desk`,
    welcomeMessage: "Hi!",
    openingHoursEnabled: true,
    openingHours: { ...defaultOpeningHours(), timeZone: "Europe/Oslo" },
    settings: { BadgeHeader: "Chat with us", Widget: { Color: "#ff0000" } },
  };
}

export function queued(topicId: number, whenRequested = Date.now()): NewSession {
  return {
    topicId,
    status: "InQueue",
    customer: { ...EMPTY_CUSTOMER, name: "Customer" },
    firstMessage: "",
    lastMessage: "",
    rating: 0,
    chatbotIsActive: false,
    whenRequested,
  };
}

/** Removes what earlier tests created, then imports the shared directory again. */
export async function resetStore(store: Store): Promise<void> {
  for (const topic of await store.listTopics()) await store.deleteTopic(topic.id);
  for (const user of await store.listUsers()) if (user.id > 3) await store.deleteUser(user.id);
  await store.importDirectory(directory());
}

export function chatStoreSuite(factory: StoreFactory): void {
  describeStore("chat store contract", factory, (store) => {
    beforeEach(() => resetStore(store));

    it("creates, reads, replaces and lists topics with details and kept settings", async () => {
      const created = await store.createTopic(topicInput("Billing"));
      assert.ok(created.id > 20, "a new id after the imported ones");
      assert.deepEqual(await store.getTopic(created.id), created);
      assert.equal(created.openingHours.timeZone, "Europe/Oslo");
      assert.deepEqual(created.settings, {
        BadgeHeader: "Chat with us",
        Widget: { Color: "#ff0000" },
      });
      const replaced = await store.updateTopic(created.id, {
        ...topicInput("Invoices"),
        settings: {},
      });
      assert.equal(replaced?.name, "Invoices");
      assert.deepEqual(replaced?.settings, {});
      assert.equal(await store.updateTopic(9999, topicInput("x")), null);
      assert.deepEqual(
        (await store.listTopics()).map((t) => t.id),
        [10, 20, created.id],
      );
      const imported = await store.getTopic(10);
      assert.equal(imported?.openingHoursEnabled, false, "imported topics get defaults");
      assert.deepEqual(imported?.openingHours, defaultOpeningHours());
    });

    it("deletes a topic with its members and sessions and names the users affected", async () => {
      assert.deepEqual((await store.deleteTopic(10))?.sort(), [2, 3]);
      assert.equal(await store.getTopic(10), null);
      assert.equal(await store.getSession(100), null, "sessions go with the topic");
      assert.equal((await store.listMembers(10)).length, 0);
      assert.equal(await store.deleteTopic(10), null);
      const bo = (await store.presenceOf([2]))[0];
      assert.deepEqual([bo.ChatTopics, bo.OngoingChats], [[20], 0]);
    });

    it("lists the topics where a user holds any right", async () => {
      assert.deepEqual(
        (await store.topicsForUser(2)).map((t) => t.id),
        [10, 20],
      );
      assert.deepEqual(await store.topicsForUser(3), [], "a membership without rights is none");
    });

    it("lists, reads and changes members; presence follows", async () => {
      const members = await store.listMembers(10);
      assert.deepEqual(
        members.map((m) => [m.user.id, m.user.username, m.canListen]),
        [
          [2, "bo", true],
          [3, "cy", false],
        ],
      );
      assert.equal((await store.getMember(10, 3))?.user.displayName, "Cy");
      assert.equal(await store.getMember(10, 1), null);
      const rights = { canListen: false, canRespond: true, canManage: false, canNotify: false };
      await store.upsertMembers(20, [
        { userId: 1, ...rights },
        { userId: 3, ...rights, canManage: true },
      ]);
      assert.equal((await store.getMember(20, 3))?.canManage, true);
      assert.deepEqual((await store.rightsOf(3)).get(20), { ...rights, canManage: true });
      assert.deepEqual((await store.presenceOf([1]))[0].ChatTopics, [20]);
      assert.equal(await store.updateMember(20, { userId: 1, ...rights, canRespond: false }), true);
      assert.deepEqual((await store.presenceOf([1]))[0].ChatTopics, [], "no rights, no topic");
      assert.equal(await store.updateMember(10, { userId: 1, ...rights }), false, "not a member");
      assert.equal(await store.deleteMember(20, 3), true);
      assert.equal(await store.deleteMember(20, 3), false);
    });

    it("adds members all or none", async () => {
      const rights = { canListen: true, canRespond: false, canManage: false, canNotify: false };
      await assert.rejects(
        store.upsertMembers(20, [
          { userId: 1, ...rights },
          { userId: 999, ...rights },
        ]),
        coded("PRES_ERR_NO_USER"),
      );
      assert.equal(await store.getMember(20, 1), null, "the first member was not added");
      await assert.rejects(
        store.upsertMembers(999, [{ userId: 1, ...rights }]),
        coded("PRES_ERR_NO_TOPIC"),
      );
    });

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

    it("puts a deleted user's chats back in the queue", async () => {
      const temp = await store.createUser({
        username: "temp",
        displayName: "T",
        role: "agent",
        passwordHash: null,
      });
      await store.updateSessionIf(103, pickUp(temp.id, Date.now()));
      await store.deleteUser(temp.id);
      const session = await store.getSession(103);
      assert.deepEqual([session?.status, session?.user], ["InQueue", null]);
    });

    it("refuses a taken username with a coded error and revokes a user's credentials", async () => {
      await assert.rejects(
        store.createUser({ username: "BO", displayName: "x", role: "agent", passwordHash: null }),
        coded("PRES_ERR_USERNAME_TAKEN"),
      );
      await assert.rejects(
        store.updateUser(3, { username: "Anna" }),
        coded("PRES_ERR_USERNAME_TAKEN"),
      );
      const expiresAt = Date.now() + 60_000;
      await store.saveCredential({
        hash: "c1",
        kind: "ticket",
        userId: 3,
        expiresAt,
        xsrfHash: null,
      });
      await store.saveCredential({
        hash: "c2",
        kind: "bearer",
        userId: 2,
        expiresAt,
        xsrfHash: null,
      });
      await store.deleteCredentialsOf(3);
      assert.equal(await store.findCredential("c1", Date.now()), null);
      assert.equal((await store.findCredential("c2", Date.now()))?.userId, 2);
    });

    it("imports topic details when given and keeps stored ones when not", async () => {
      const hours = { ...defaultOpeningHours(), timeZone: "NO" };
      const data = directory();
      data.topics[0] = {
        id: 10,
        name: "Sales",
        description: "Sell",
        openingHoursEnabled: true,
        openingHours: hours,
      };
      await store.importDirectory(data);
      await store.importDirectory(directory());
      const topic = await store.getTopic(10);
      assert.deepEqual(
        [topic?.description, topic?.openingHoursEnabled, topic?.openingHours.timeZone],
        ["Sell", true, "NO"],
      );
    });
  });
}
