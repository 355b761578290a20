/**
 * The messages part of the store contract, written against the Store interface only and run
 * on every backend: posts with their session change in one write, paging, cascades, the limit.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import {
  DEFAULT_MESSAGE_LIMITS,
  type MessageInput,
  messageEffect,
  type NewMessage,
  newMessage,
} from "../../src/domain/message.ts";
import type { Store } from "../../src/store/store.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  coded,
  describeStore,
  directory,
  queued,
  resetStore,
  type StoreFactory,
} from "../support/store-contract.ts";

const LIMIT = DEFAULT_MESSAGE_LIMITS.perSession;

function draft(sessionId: number, input: MessageInput, at = Date.now()): NewMessage {
  return newMessage(sessionId, input, DEFAULT_MESSAGE_LIMITS, "Someone", at);
}

/** Posts as the service does: the effect decided from the session as it is now. */
async function post(store: Store, sessionId: number, input: MessageInput, limit = LIMIT) {
  const session = await store.getSession(sessionId);
  assert.ok(session, `session ${sessionId} exists`);
  const message = draft(sessionId, input);
  return store.addMessage(message, messageEffect(session, message), limit);
}

const all = (store: Store, sessionId: number) =>
  store.listMessages(sessionId, { after: 0, limit: 100_000 });

function messagesSuite(factory: StoreFactory): void {
  describeStore("message store contract", factory, (store) => {
    beforeEach(() => resetStore(store));

    it("stores a message with a new id and moves its session in the same write", async () => {
      const at = Date.UTC(2025, 10, 26, 12, 6, 56);
      const session = await store.getSession(101);
      assert.ok(session);
      assert.equal(session.status, "CustomerLast");
      const input: MessageInput = {
        type: "ToCustomer",
        message: "Hello <b>&",
        author: "Bo",
        readByCustomer: 1,
        specialType: "None",
        specialParam: "p",
      };
      const message = draft(101, input, at);
      const posted = await store.addMessage(message, messageEffect(session, message), LIMIT);
      assert.ok(posted && posted.message.id > 0);
      assert.deepEqual(posted.message, { ...message, id: posted.message.id });
      assert.equal(posted.session.status, "UserLast");
      assert.equal(posted.session.firstMessage, "Hello <b>&");
      assert.equal(posted.session.lastMessage, "Hello <b>&");
      assert.equal(posted.session.whenIdle, at);
      assert.deepEqual(await store.getSession(101), posted.session);
      assert.deepEqual(await all(store, 101), [posted.message]);

      const reply = await post(store, 101, { type: "ToUser", message: "Hi back" });
      assert.ok(reply && reply.message.id > posted.message.id);
      assert.equal(reply.session.status, "CustomerLast");
      assert.equal(reply.session.firstMessage, "Hello <b>&", "FirstMessage stays the first");
      assert.equal(reply.session.lastMessage, "Hi back");
    });

    it("keeps a FirstMessage given at creation; a Special notice changes nothing", async () => {
      const created = await store.createSession({ ...queued(10), firstMessage: "I need help" });
      const posted = await post(store, created.id, { type: "ToUser", message: "Anyone?" });
      assert.equal(posted?.session.status, "InQueue", "a queued session stays queued");
      assert.equal(posted?.session.firstMessage, "I need help");
      assert.equal(posted?.session.lastMessage, "Anyone?");
      assert.equal(created.whenIdle, null);
      const idle = posted?.session.whenIdle;
      assert.equal(idle, posted?.message.whenPosted);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const notice = await post(store, created.id, { type: "Special", specialType: "Welcome" });
      assert.equal(notice?.session.lastMessage, "Anyone?");
      assert.equal(notice?.session.whenIdle, idle, "a notice does not move WhenIdle");
      assert.equal(notice?.session.status, "InQueue");
    });

    it("stores nothing when the session's status left the effect's class", async () => {
      const session = await store.getSession(103);
      assert.ok(session);
      const message = draft(103, { type: "ToUser", message: "late" });
      const effect = messageEffect(session, message);
      await store.updateSessionIf(103, {
        condition: { statusIn: ["InQueue"] },
        changes: { status: "UserLast", userId: 2 },
      });
      assert.equal(await store.addMessage(message, effect, LIMIT), null);
      assert.deepEqual(await all(store, 103), []);
      const after = await store.getSession(103);
      assert.equal(after?.lastMessage, "", "the session was not touched");
      assert.equal(after?.status, "UserLast");
      assert.equal(await store.addMessage({ ...message, sessionId: 9999 }, effect, LIMIT), null);
    });

    it("refuses a message past the per-session limit and stores nothing", async () => {
      await post(store, 100, { type: "ToUser", message: "one" }, 2);
      await post(store, 100, { type: "ToUser", message: "two" }, 2);
      await assert.rejects(
        post(store, 100, { type: "ToCustomer", message: "three" }, 2),
        coded("PRES_ERR_MESSAGE_LIMIT"),
      );
      assert.deepEqual(
        (await all(store, 100)).map((m) => m.message),
        ["one", "two"],
      );
      const session = await store.getSession(100);
      assert.equal(session?.lastMessage, "two");
      assert.equal(session?.status, "CustomerLast", "the refused message moved nothing");
    });

    it("lists a session's messages in id order, paged with after and limit", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) {
        const posted = await post(store, 100, { type: "ToUser", message: `m${i}` });
        await post(store, 101, { type: "ToUser", message: `other ${i}` });
        assert.ok(posted);
        ids.push(posted.message.id);
      }
      const first = await store.listMessages(100, { after: 0, limit: 3 });
      assert.deepEqual(
        first.map((m) => m.id),
        ids.slice(0, 3),
      );
      const next = await store.listMessages(100, { after: first[2].id, limit: 3 });
      assert.deepEqual(
        next.map((m) => m.message),
        ["m3", "m4", "m5"],
      );
      assert.deepEqual(
        (await store.listMessages(100, { after: ids[5], limit: 3 })).map((m) => m.id),
        [ids[6]],
      );
      assert.deepEqual(await store.listMessages(100, { after: ids[6], limit: 3 }), []);
      assert.deepEqual(await store.listMessages(100, { after: 2 ** 40, limit: 3 }), []);
      assert.deepEqual(await store.listMessages(9999, { after: 0, limit: 3 }), []);
    });

    it("deletes messages with their session, and with a topic's sessions", async () => {
      await post(store, 100, { type: "ToUser", message: "in 100" });
      await post(store, 103, { type: "ToUser", message: "in 103" });
      await post(store, 102, { type: "Special", specialType: "ClosedByUser" });
      await store.deleteSession(100);
      assert.deepEqual(await all(store, 100), []);
      // A new session may take the deleted one's id: it must not inherit its messages.
      await store.importDirectory({
        users: [],
        topics: [],
        members: [],
        sessions: [{ id: 100, topicId: 10, userId: 2, status: "UserLast" }],
        appTokenHashes: [],
      });
      assert.deepEqual(await all(store, 100), []);
      assert.equal((await all(store, 103)).length, 1);
      await store.deleteTopic(20);
      assert.deepEqual(await all(store, 103), []);
      assert.deepEqual(await all(store, 102), []);
    });

    it("keeps a session's messages when its user is deleted or the directory re-imported", async () => {
      const user = await store.createUser({
        username: "temp",
        displayName: "Temp",
        role: "agent",
        passwordHash: null,
      });
      const created = await store.createSession(queued(10));
      await store.updateSessionIf(created.id, {
        condition: { statusIn: ["InQueue"] },
        changes: { status: "UserLast", userId: user.id },
      });
      await post(store, created.id, { type: "ToUser", message: "kept" });
      await store.deleteUser(user.id);
      assert.equal((await store.getSession(created.id))?.status, "InQueue");
      assert.equal((await all(store, created.id)).length, 1);
      await post(store, 100, { type: "ToUser", message: "kept too" });
      await store.importDirectory(directory());
      assert.equal((await all(store, 100)).length, 1, "an import upserts, never replaces");
    });

    it("never gives an id twice, even after the newest messages were deleted", async () => {
      const created = await store.createSession(queued(10));
      const newest = await post(store, created.id, { type: "ToUser", message: "x" });
      await store.deleteSession(created.id);
      const again = await post(store, 101, { type: "ToUser", message: "y" });
      assert.ok(again && newest && again.message.id > newest.message.id);
    });

    it("concurrent posts to one session are all stored, LastMessage is the newest", async () => {
      for (let round = 0; round < 15; round++) {
        const created = await store.createSession(queued(10));
        await store.updateSessionIf(created.id, {
          condition: { statusIn: ["InQueue"] },
          changes: { status: "UserLast", userId: 2 },
        });
        const texts = Array.from({ length: 12 }, (_, i) => `round ${round} message ${i}`);
        const posted = await Promise.all(
          texts.map((message, i) =>
            post(store, created.id, { type: i % 2 ? "ToUser" : "ToCustomer", message }),
          ),
        );
        assert.ok(posted.every(Boolean), "no post lost its session's status class");
        const stored = await all(store, created.id);
        assert.deepEqual(stored.map((m) => m.message).sort(), [...texts].sort());
        const session = await store.getSession(created.id);
        const newest = stored[stored.length - 1];
        assert.equal(session?.lastMessage, newest.message, `round ${round}: LastMessage`);
        assert.equal(session?.firstMessage, stored[0].message, `round ${round}: FirstMessage`);
        const status = newest.type === "ToCustomer" ? "UserLast" : "CustomerLast";
        assert.equal(session?.status, status, `round ${round}: the newest message's status`);
      }
    });
  });
}

for (const backend of BACKENDS) messagesSuite(backend);
