/** The change stream (SSE): snapshot, live changes with Previous, filters, resuming. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN as ADMIN_AUTH, KUHN as KUHN_AUTH, saveAs } from "./support/rest.ts";
import { testServerSuite } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: ADMIN_AUTH };
const KUHN = { Authorization: KUHN_AUTH };

describe("change stream", () => {
  const suite = testServerSuite();

  it("opens with a snapshot equal to GetAll, then streams each change with Previous", async () => {
    const stream = await openStream(`${suite.server.url}/api/v1/Presence/Stream`, ADMIN);
    assert.equal(stream.status, 200);
    const snapshot = await stream.next();
    assert.equal(snapshot.event, "snapshot");
    const all = await (
      await suite.server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })
    ).json();
    assert.deepEqual(JSON.parse(snapshot.data), all);
    const started = Date.now();
    await saveAs(suite.server, KUHN, [{ UserId: 883, Present: true }]);
    const change = await stream.next();
    assert.ok(Date.now() - started < 1000);
    assert.equal(change.event, "change");
    const body = JSON.parse(change.data);
    assert.equal(body.UserId, 883);
    assert.equal(body.Present, true);
    assert.equal(body.Source, "api");
    assert.equal(body.ChangedBy, 883);
    assert.deepEqual(body.Previous, { Present: false, OngoingChats: 2, ChatTopics: [128, 574] });
    assert.equal(change.id, String(body.Version));
    stream.close();
  });

  it("filters by userId and topicId", async () => {
    const byUser = await openStream(`${suite.server.url}/api/v1/Presence/Stream?userId=589`, ADMIN);
    const byTopic = await openStream(
      `${suite.server.url}/api/v1/Presence/Stream?topicId=128`,
      ADMIN,
    );
    assert.deepEqual(
      JSON.parse((await byUser.next()).data).map((p: { UserId: number }) => p.UserId),
      [589],
    );
    assert.deepEqual(
      JSON.parse((await byTopic.next()).data).map((p: { UserId: number }) => p.UserId),
      [883],
    );
    await saveAs(suite.server, ADMIN, [
      { UserId: 883, Present: false },
      { UserId: 589, Present: true },
    ]);
    assert.equal(JSON.parse((await byUser.next()).data).UserId, 589);
    assert.equal(JSON.parse((await byTopic.next()).data).UserId, 883);
    await assert.rejects(byUser.next(300), "no event for other users");
    byUser.close();
    byTopic.close();
  });

  it("resumes from Last-Event-ID without loss, and resyncs when the id is unknown", async () => {
    const first = await openStream(`${suite.server.url}/api/v1/Presence/Stream`, ADMIN);
    await first.next();
    await saveAs(suite.server, ADMIN, [{ UserId: 1, Present: true }]);
    const seen = await first.next();
    first.close();
    await saveAs(suite.server, ADMIN, [{ UserId: 1, Present: false }]);
    await saveAs(suite.server, ADMIN, [{ UserId: 589, Present: false }]);
    const resumed = await openStream(`${suite.server.url}/api/v1/Presence/Stream`, {
      ...ADMIN,
      "Last-Event-ID": String(seen.id),
    });
    const missed = [await resumed.next(), await resumed.next()].map((e) => JSON.parse(e.data));
    assert.deepEqual(
      missed.map((e) => [e.UserId, e.Present]),
      [
        [1, false],
        [589, false],
      ],
    );
    resumed.close();
    const tooNew = await openStream(`${suite.server.url}/api/v1/Presence/Stream`, {
      ...ADMIN,
      "Last-Event-ID": "99999999",
    });
    assert.equal((await tooNew.next()).event, "resync");
    assert.equal((await tooNew.next()).event, "snapshot");
    tooNew.close();
  });

  it("requires authentication and validates filters", async () => {
    assert.equal((await suite.server.fetch("/api/v1/Presence/Stream")).status, 401);
    assert.equal(
      (await suite.server.fetch("/api/v1/Presence/Stream?userId=abc", { headers: ADMIN })).status,
      400,
    );
  });
});
