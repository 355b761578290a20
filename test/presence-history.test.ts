/** The presence history log over REST: who changed what, read rights, filters, retention. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN as ADMIN_AUTH, KUHN as KUHN_AUTH, saveAs } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const ADMIN = { Authorization: ADMIN_AUTH };
const KUHN = { Authorization: KUHN_AUTH };

describe("history", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("logs every change with source and author; agents read only their own", async () => {
    await saveAs(server, KUHN, [{ UserId: 883, Present: true }]);
    await saveAs(server, ADMIN, [{ UserId: 589, Present: true }]);
    const all = await (await server.fetch("/api/v1/Presence/History", { headers: ADMIN })).json();
    const tail = all
      .slice(-2)
      .map((e: { UserId: number; ChangedBy: number; Source: string }) => [
        e.UserId,
        e.ChangedBy,
        e.Source,
      ]);
    assert.deepEqual(tail, [
      [883, 883, "api"],
      [589, 1, "api"],
    ]);
    const own = await (await server.fetch("/api/v1/Presence/History", { headers: KUHN })).json();
    assert.ok(own.length > 0 && own.every((e: { UserId: number }) => e.UserId === 883));
    assert.equal(
      (await server.fetch("/api/v1/Presence/History?userId=589", { headers: KUHN })).status,
      403,
    );
    const since = await (
      await server.fetch(
        `/api/v1/Presence/History?since=${new Date(Date.now() + 60_000).toISOString()}`,
        { headers: ADMIN },
      )
    ).json();
    assert.deepEqual(since, []);
    assert.equal(
      (await server.fetch("/api/v1/Presence/History?since=yesterday", { headers: ADMIN })).status,
      400,
    );
  });
});

describe("history retention", () => {
  it("purges entries older than the configured number of days, and keeps newer ones", async () => {
    const server = await startTestServer({ historyRetention: 2 });
    try {
      await saveAs(server, ADMIN, [{ UserId: 589, Present: true }]);
      const history = server.services.history;
      assert.equal(await history.purgeExpired(Date.now() + 86_400_000), 0, "a day later: kept");
      assert.ok(
        (await history.purgeExpired(Date.now() + 3 * 86_400_000)) > 0,
        "three days later: purged",
      );
      const left = await (
        await server.fetch("/api/v1/Presence/History", { headers: ADMIN })
      ).json();
      assert.deepEqual(left, []);
    } finally {
      await server.close();
    }
  });
});
