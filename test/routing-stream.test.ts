/**
 * GET /api/v1/Routing/Stream over real HTTP, on SQLite and PostgreSQL: what routing records
 * reaches the stream in SuperOffice casing with the log id as the SSE id, filtered by topic,
 * resumable with Last-Event-ID, only of the topics the caller may see, within the stream limits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RoutingEventInput } from "../src/domain/routing-event.ts";
import { serverStores } from "./support/postgres.ts";
import { expectError } from "./support/rest.ts";
import { offer, record, routingStream, untilLive } from "./support/routing-stream.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";
import { ADMIN, drain, KUHN } from "./support/stream-replay.ts";

const OCON = { Authorization: basic("ocon", PASSWORD) };
const STORES = await serverStores("routing stream");

for (const { store, skip, open } of STORES) {
  describe(`routing stream (${store})`, { skip }, () => {
    let server: TestServer;
    const { db, drop } = open();
    before(async () => {
      server = await startTestServer({ ...(db ? { db } : {}), streamsPerUser: 2 });
    });
    after(async () => {
      await server.close();
      await drop();
    });

    it("sends each recorded event named by its type, in SuperOffice casing, with its log id", async () => {
      const stream = await routingStream(server, ADMIN);
      assert.equal(stream.status, 200);
      await untilLive(server, stream);
      const at = Date.UTC(2026, 2, 1, 10, 0, 0);
      const capacity: RoutingEventInput = {
        type: "capacity",
        topicId: 574,
        chatSessionId: null,
        userId: 883,
        at: at + 5,
        detail: { ongoingChats: 2, limit: 3 },
      };
      await record(server, [offer(574, 2, 883, at), capacity]);
      const first = await stream.next(5000);
      const second = await stream.next(5000);
      stream.close();
      assert.equal(first.event, "offered");
      assert.deepEqual(JSON.parse(first.data), {
        Id: Number(first.id),
        Type: "offered",
        TopicId: 574,
        ChatSessionId: 2,
        UserId: 883,
        At: "2026-03-01T10:00:00.000Z",
        ExpiresAt: "2026-03-01T10:00:30.000Z",
      });
      assert.equal(second.event, "capacity");
      assert.equal(Number(second.id), Number(first.id) + 1);
      assert.deepEqual(JSON.parse(second.data), {
        Id: Number(second.id),
        Type: "capacity",
        TopicId: 574,
        ChatSessionId: null,
        UserId: 883,
        At: "2026-03-01T10:00:00.005Z",
        OngoingChats: 2,
        Limit: 3,
      });
    });

    it("carries only the topic asked for with ?topicId=", async () => {
      const stream = await routingStream(server, ADMIN, "?topicId=128");
      await untilLive(server, stream, 128);
      await record(server, [offer(574, 1), offer(128, 4), offer(574, 2), offer(128, 5)]);
      const events = await drain(stream, 600);
      stream.close();
      assert.deepEqual(
        events.map((e) => JSON.parse(e.data).ChatSessionId),
        [4, 5],
      );
    });

    it("resumes after Last-Event-ID with nothing missed or repeated, then goes on live", async () => {
      const probe = await routingStream(server, ADMIN);
      const last = await untilLive(server, probe);
      probe.close();
      await record(server, [offer(574, 11)]);
      await record(server, [offer(574, 12), offer(128, 13)]);
      const stream = await openStream(`${server.url}/api/v1/Routing/Stream`, {
        ...ADMIN,
        "Last-Event-ID": String(last.id),
      });
      const replay = [await stream.next(5000), await stream.next(5000), await stream.next(5000)];
      await record(server, [offer(574, 14)]);
      const live = await stream.next(5000);
      stream.close();
      const sessions = [...replay, live].map((e) => JSON.parse(e.data).ChatSessionId);
      assert.deepEqual(sessions, [11, 12, 13, 14]);
      const ids = [...replay, live].map((e) => Number(e.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      assert.ok(ids[0] > Number(last.id));
    });

    it("answers an id it cannot resume from with resync, then live events", async () => {
      const stream = await openStream(`${server.url}/api/v1/Routing/Stream`, {
        ...KUHN,
        "Last-Event-ID": "999999999",
      });
      const resync = await stream.next(5000);
      assert.equal(resync.event, "resync");
      const live = await untilLive(server, stream);
      stream.close();
      assert.equal(live.event, "offered");
    });

    it("shows a non-admin only the topics where they listen, respond or manage", async () => {
      // kuhn listens in 128 and responds in 574; ocon is in 574 without any of those rights.
      const kuhn = await routingStream(server, KUHN);
      const ocon = await routingStream(server, OCON);
      await untilLive(server, kuhn);
      await record(server, [offer(574, 21), offer(777, 22), offer(128, 23)]);
      const kuhnSaw = (await drain(kuhn, 600)).map((e) => JSON.parse(e.data).ChatSessionId);
      const oconSaw = await drain(ocon, 200);
      kuhn.close();
      ocon.close();
      assert.deepEqual(kuhnSaw, [21, 23]);
      assert.deepEqual(oconSaw, [], "no event of a topic without rights, even while resuming");
      const resumed = await openStream(`${server.url}/api/v1/Routing/Stream`, {
        ...OCON,
        "Last-Event-ID": "0",
      });
      const replayed = await drain(resumed, 400);
      resumed.close();
      assert.ok(
        replayed.every((e) => e.event === "resync"),
        "nothing replayed of other topics",
      );
    });

    it("refuses a topic the caller may not follow with 403 before streaming", async () => {
      const response = await server.fetch("/api/v1/Routing/Stream?topicId=574", {
        headers: OCON,
      });
      await expectError(response, 403, { message: /chat topic 574/ });
      const bad = await server.fetch("/api/v1/Routing/Stream?topicId=abc", { headers: ADMIN });
      assert.equal(bad.status, 400);
    });

    it("stops a topic's events within seconds of the right being taken away", async () => {
      const stream = await routingStream(server, KUHN);
      await untilLive(server, stream);
      const removed = await server.fetch("/api/v1/ChatTopic/128/UserAgent/kuhn", {
        method: "DELETE",
        headers: ADMIN,
      });
      assert.equal(removed.status, 204);
      try {
        // Rights are read again at most every 5 s: past that, the next batch is filtered anew.
        await new Promise((r) => setTimeout(r, 5500));
        await record(server, [offer(128, 71), offer(574, 72)]);
        const saw = (await drain(stream, 800)).map((e) => JSON.parse(e.data).ChatSessionId);
        assert.deepEqual(saw, [72]);
      } finally {
        stream.close();
        const restored = await server.fetch("/api/v1/ChatTopic/128/UserAgent", {
          method: "POST",
          headers: { ...ADMIN, "Content-Type": "application/json" },
          body: JSON.stringify({ User: { AssociateId: 883 }, CanListen: true }),
        });
        assert.equal(restored.status, 200, await restored.text());
      }
    });

    it("counts against the per-user stream limit: one over it is refused with 429", async () => {
      const open = [await routingStream(server, KUHN), await routingStream(server, KUHN)];
      try {
        const refused = await server.fetch("/api/v1/Routing/Stream", { headers: KUHN });
        await expectError(refused, 429);
      } finally {
        for (const stream of open) stream.close();
      }
    });
  });
}
