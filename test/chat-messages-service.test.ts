/**
 * MessageService over real stores (SQLite in memory, PostgreSQL on a scratch schema): rights,
 * the session's status, presence through the one change detector, paging, transcripts, and
 * following a session live, and the limits the serve options set.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startServer } from "../src/cli/server.ts";
import { DEFAULT_MESSAGE_LIMITS } from "../src/domain/message.ts";
import type { Services } from "../src/service/services.ts";
import {
  ADA,
  type Backend,
  BO,
  CY,
  coded,
  collector,
  DEE,
  MAX,
  postgres,
  seed,
  sqlite,
} from "./support/chat-messages.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";

function suite(backend: Backend): void {
  describe(`MessageService: ${backend.name}`, { skip: backend.skip }, () => {
    let opened: Awaited<ReturnType<Backend["open"]>>;
    let services: Services;
    let sessionId: number;

    before(async () => {
      opened = await backend.open();
      services = opened.services;
      await seed(opened.store);
    });
    after(() => opened.close());
    beforeEach(async () => {
      sessionId = (await services.sessions.create({ topicId: 10, customer: { name: "Carl" } })).id;
    });

    const ongoing = async () =>
      (await services.presence.getAll()).presence.find((p) => p.UserId === 2)?.OngoingChats;

    it("moves a session as SuperOffice does: queued stays queued, then whoever wrote last", async () => {
      const first = await services.messages.post(MAX, sessionId, {
        type: "ToUser",
        message: "Hello?",
      });
      assert.equal(first.author, "Carl", "the customer's name by default");
      let session = await services.sessions.get(ADA, sessionId);
      assert.equal(session.status, "InQueue");
      assert.equal(session.firstMessage, "Hello?");
      await services.sessions.pickUp(BO, sessionId);
      const reply = await services.messages.post(BO, sessionId, {
        type: "ToCustomer",
        message: "Hi Carl",
      });
      assert.equal(reply.author, "BO", "the agent's display name by default");
      assert.equal((await services.sessions.get(BO, sessionId)).status, "UserLast");
      await services.messages.post(BO, sessionId, {
        type: "ToUser",
        message: "My order",
        author: "C.",
      });
      session = await services.sessions.get(BO, sessionId);
      assert.equal(session.status, "CustomerLast");
      assert.equal(session.firstMessage, "Hello?");
      assert.equal(session.lastMessage, "My order");
      await services.messages.post(BO, sessionId, { type: "Special", specialType: "Welcome" });
      assert.equal((await services.sessions.get(BO, sessionId)).status, "CustomerLast");
    });

    it("a finished session takes notices only; a refused message stores nothing", async () => {
      await services.sessions.pickUp(BO, sessionId);
      await services.sessions.save(BO, sessionId, { status: "Finished" });
      await assert.rejects(
        services.messages.post(BO, sessionId, { type: "ToCustomer", message: "late" }),
        coded("PRES_ERR_SESSION_CLOSED"),
      );
      await assert.rejects(
        services.messages.post(BO, sessionId, { type: "ToCustomer", message: "bad\u0000" }),
        coded("PRES_ERR_BAD_MESSAGE"),
      );
      await services.messages.post(BO, sessionId, { type: "Special", specialType: "ClosedByUser" });
      const listed = await services.messages.list(BO, sessionId);
      assert.deepEqual(
        listed.map((m) => m.specialType),
        ["ClosedByUser"],
      );
    });

    it("rights: read with the session, write with the right to change it", async () => {
      await services.sessions.pickUp(BO, sessionId);
      const text = { type: "ToCustomer", message: "x" } as const;
      await assert.rejects(
        services.messages.post(CY, sessionId, text),
        coded("PRES_ERR_SESSION_OWNER"),
      );
      await assert.rejects(
        services.messages.post(DEE, sessionId, text),
        coded("PRES_ERR_SESSION_ACCESS"),
      );
      await assert.rejects(
        services.messages.list(DEE, sessionId),
        coded("PRES_ERR_SESSION_ACCESS"),
      );
      await assert.rejects(
        services.messages.transcript(DEE, sessionId, true),
        coded("PRES_ERR_SESSION_ACCESS"),
      );
      await assert.rejects(
        services.messages.follow(DEE, sessionId, 0, () => undefined),
        coded("PRES_ERR_SESSION_ACCESS"),
      );
      await services.messages.post(BO, sessionId, text);
      await services.messages.post(MAX, sessionId, text);
      await services.messages.post(ADA, sessionId, text);
      assert.equal((await services.messages.list(CY, sessionId)).length, 3, "a listener reads");
      await assert.rejects(services.messages.post(BO, 999_999, text), coded("PRES_ERR_NO_SESSION"));
      await assert.rejects(services.messages.list(ADA, sessionId, -1), coded("PRES_ERR_BAD_QUERY"));
      await assert.rejects(
        services.messages.list(ADA, sessionId, 1.5),
        coded("PRES_ERR_BAD_QUERY"),
      );
    });

    it("a post that moves the session goes through the change detector; OngoingChats stays right", async () => {
      const chats = await ongoing();
      await services.messages.post(MAX, sessionId, { type: "ToUser", message: "queued" });
      assert.equal(await ongoing(), chats);
      await services.sessions.pickUp(BO, sessionId);
      assert.equal(await ongoing(), (chats ?? 0) + 1);
      const version = (await services.presence.getAll()).version;
      await services.messages.post(BO, sessionId, { type: "ToUser", message: "moves it" });
      const moved = (await services.presence.getAll()).version;
      assert.ok(moved > version, "the session's user was re-read by the change detector");
      assert.equal(await ongoing(), (chats ?? 0) + 1, "CustomerLast and UserLast both count");
      await services.messages.post(BO, sessionId, { type: "Special", specialType: "Url" });
      assert.equal(
        (await services.presence.getAll()).version,
        moved,
        "no status change, no re-read",
      );
      await services.sessions.save(BO, sessionId, { status: "Finished" });
      assert.equal(await ongoing(), chats);
    });

    it("a post racing a pick-up is decided again from the new status, never lost", async () => {
      for (let round = 0; round < 20; round++) {
        const { id } = await services.sessions.create({ topicId: 10 });
        const [posted] = await Promise.all([
          services.messages.post(MAX, id, { type: "ToUser", message: `race ${round}` }),
          services.sessions.pickUp(BO, id),
        ]);
        const session = await services.sessions.get(ADA, id);
        const stored = await services.messages.list(ADA, id);
        assert.deepEqual(
          stored.map((m) => m.id),
          [posted.id],
        );
        assert.equal(session.lastMessage, `race ${round}`);
        // Posted while queued: the pick-up then makes it UserLast; posted after: CustomerLast.
        assert.ok(["UserLast", "CustomerLast"].includes(session.status), session.status);
      }
    });

    it("pages with after; the page size bounds an answer", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(
          (await services.messages.post(ADA, sessionId, { type: "ToUser", message: `m${i}` })).id,
        );
      assert.deepEqual(
        (await services.messages.list(CY, sessionId)).map((m) => m.id),
        ids.slice(0, 4),
      );
      assert.deepEqual(
        (await services.messages.list(CY, sessionId, ids[3])).map((m) => m.id),
        ids.slice(4),
      );
    });

    it("renders the whole transcript across pages, escaped as HTML", async () => {
      for (let i = 0; i < 9; i++) {
        await services.messages.post(ADA, sessionId, {
          type: "ToUser",
          message: `<script>${i}</script> & "${i}"`,
          author: "<i>Carl</i>",
        });
      }
      const html = await services.messages.transcript(CY, sessionId, true);
      assert.equal(html.match(/<p class="chat-message to-user">/g)?.length, 9);
      assert.ok(!html.includes("<script>") && !html.includes("<i>"));
      assert.ok(html.includes("&lt;script&gt;8&lt;/script&gt; &amp; &quot;8&quot;"));
      const text = await services.messages.transcript(CY, sessionId, false);
      assert.deepEqual(
        text
          .trimEnd()
          .split("\n")
          .map((line) => line.replace(/^.* UTC /, "")),
        Array.from({ length: 9 }, (_, i) => `<i>Carl</i>: <script>${i}</script> & "${i}"`),
      );
    });

    it("a follower gets what was there, then every new message once, in order", async () => {
      await services.messages.post(ADA, sessionId, { type: "ToUser", message: "before" });
      const followed = collector(1 + 20);
      const stop = await services.messages.follow(CY, sessionId, 0, followed.listener);
      const texts = Array.from({ length: 20 }, (_, i) => `live ${i}`);
      await Promise.all(
        texts.map((message) => services.messages.post(ADA, sessionId, { type: "ToUser", message })),
      );
      await followed.complete;
      stop();
      const stored = await opened.store.listMessages(sessionId, { after: 0, limit: 100 });
      assert.deepEqual(
        followed.got.map((m) => m.id),
        stored.map((m) => m.id),
      );
      await services.messages.post(ADA, sessionId, { type: "ToUser", message: "after stop" });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(followed.got.length, 21, "nothing after stopping");
    });
  });
}

suite(sqlite);
const skip = await announceSkip("MessageService");
const scratch = scratchSchema();
suite(postgres(skip, scratch.url));
after(() => (skip ? undefined : scratch.drop()));

describe("MessageService: limits from the serve options", () => {
  it("defaults apply, and each serve option sets its limit", async () => {
    const plain = await startServer({ port: 0, host: "127.0.0.1", db: ":memory:" });
    assert.deepEqual(plain.services.messages.limits, DEFAULT_MESSAGE_LIMITS);
    await plain.close();
    const tuned = await startServer({
      port: 0,
      host: "127.0.0.1",
      db: ":memory:",
      messageMaxLength: 10,
      messagesPerSession: 2,
      messagesPage: 1,
    });
    try {
      const { services } = tuned;
      assert.deepEqual(services.messages.limits, { maxLength: 10, perSession: 2, pageSize: 1 });
      await seed(tuned.store);
      const { id } = await services.sessions.create({ topicId: 10 });
      await assert.rejects(
        services.messages.post(ADA, id, { type: "ToUser", message: "x".repeat(11) }),
        coded("PRES_ERR_BAD_MESSAGE"),
      );
      await services.messages.post(ADA, id, { type: "ToUser", message: "x".repeat(10) });
      await services.messages.post(ADA, id, { type: "ToUser", message: "second" });
      await assert.rejects(
        services.messages.post(ADA, id, { type: "ToUser", message: "third" }),
        coded("PRES_ERR_MESSAGE_LIMIT"),
      );
      assert.equal((await services.messages.list(ADA, id)).length, 1, "one page of one");
      assert.equal((await services.messages.transcript(ADA, id, false)).split("\n").length, 3);
    } finally {
      await tuned.close();
    }
  });
});
