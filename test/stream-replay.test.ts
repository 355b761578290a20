/**
 * Resuming a change stream with Last-Event-ID, over real HTTP, on SQLite and PostgreSQL: the
 * replay carries what the live stream would have carried (same filter), and reaches back no
 * further than the resume window for non-admins.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { matches } from "../src/domain/stream-filter.ts";
import { serverStores } from "./support/postgres.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { ADMIN, allHistory, drain, KUHN, latestId, resume, save } from "./support/stream-replay.ts";

/** The filter and window rules hold on both stores: one store is SQLite, the other PostgreSQL. */
const STORES = await serverStores("stream replay");

for (const { store, skip, open } of STORES) {
  describe(`stream replay honours the live stream's filter (${store})`, { skip }, () => {
    let server: TestServer;
    const { db, drop } = open();
    before(async () => {
      server = await startTestServer(db ? { db } : {});
      await save(server, [
        { UserId: 1, Present: true },
        { UserId: 589, Present: true },
        { UserId: 900, Present: true },
        { UserId: 883, Present: true },
      ]);
      await save(server, [
        { UserId: 589, Present: false },
        { UserId: 1, Present: false },
      ]);
    });
    after(async () => {
      await server.close();
      await drop();
    });

    it("an agent refused another user's history gets no other user's change by resuming", async () => {
      const history = await server.fetch("/api/v1/Presence/History?userId=1", { headers: KUHN });
      assert.equal(history.status, 403);
      const stream = await resume(server, "/api/v1/Presence/Stream?userId=589", KUHN, 0);
      assert.equal(stream.status, 200);
      const replay = (await drain(stream)).map((e) => ({ event: e.event, ...JSON.parse(e.data) }));
      stream.close();
      const everything = await allHistory(server);
      const expected = everything.filter((change) => change.UserId === 589);
      assert.ok(expected.length >= 2 && expected.length < everything.length);
      assert.deepEqual(
        replay.map((e) => [e.event, e.Version]),
        expected.map((change) => ["change", change.Id]),
      );
    });

    it("a topic filter replays exactly the changes the live stream would carry", async () => {
      const expected = (await allHistory(server))
        .filter((change) => matches({ topicId: 574 }, change as never))
        .map((change) => change.Id);
      assert.ok(expected.length > 0 && expected.length < 6, "the filter leaves some out");
      const stream = await resume(server, "/api/v1/Presence/Stream?topicId=574", KUHN, 0);
      const ids = (await drain(stream)).map((e) => Number(e.id));
      stream.close();
      assert.deepEqual(ids, expected);
    });
  });

  describe(`stream resume window (${store})`, { skip }, () => {
    let server: TestServer;
    const { db, drop } = open();
    before(async () => {
      server = await startTestServer({
        ...(db ? { db } : {}),
        streamResumeEvents: 5,
        streamResumeWindowMs: 2_000,
      });
    });
    after(async () => {
      await server.close();
      await drop();
    });

    async function toggle(times: number) {
      for (let i = 0; i < times; i++) await save(server, [{ UserId: 900, Present: i % 2 === 0 }]);
    }

    it("an agent further back than the event window gets resync and a snapshot; an admin the replay", async () => {
      const from = await latestId(server);
      await toggle(8);
      const agent = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(agent)).map((e) => e.event),
        ["resync", "snapshot"],
      );
      agent.close();
      const near = await resume(
        server,
        "/api/v1/Presence/Stream",
        KUHN,
        (await latestId(server)) - 3,
      );
      assert.deepEqual(
        (await drain(near)).map((e) => e.event),
        ["change", "change", "change"],
      );
      near.close();
      const admin = await resume(server, "/api/v1/Presence/Stream", ADMIN, from);
      assert.equal((await drain(admin)).filter((e) => e.event === "change").length, 8);
      admin.close();
    });

    it("an agent whose missed changes are older than the time window gets resync and a snapshot", async () => {
      const from = await latestId(server);
      await toggle(1);
      const fresh = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(fresh)).map((e) => e.event),
        ["change"],
      );
      fresh.close();
      await new Promise((resolve) => setTimeout(resolve, 2_300));
      const stale = await resume(server, "/api/v1/Presence/Stream", KUHN, from);
      assert.deepEqual(
        (await drain(stale)).map((e) => e.event),
        ["resync", "snapshot"],
      );
      stale.close();
      const admin = await resume(server, "/api/v1/Presence/Stream", ADMIN, from);
      assert.deepEqual(
        (await drain(admin)).map((e) => e.event),
        ["change"],
      );
      admin.close();
    });
  });
}
