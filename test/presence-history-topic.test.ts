/**
 * A topic's presence history over real HTTP (GET /Presence/History?topicId=): the changes of
 * users in the topic before or after, for admins and the topic's managers; others 403.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, assertError, call, KUHN, OCON } from "./support/chat.ts";
import { routingSeed } from "./support/dashboard-routing.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("presence history of a topic", () => {
  let server: TestServer;
  before(async () => {
    // Ocon manages Support (574); kuhn responds there and listens in Sales (128).
    server = await startTestServer({ seed: routingSeed() });
  });
  after(() => server.close());

  const history = async (auth: string, query: string) => {
    const reply = await call(server, auth, "GET", `/api/v1/Presence/History?${query}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body as { Id: number; UserId: number }[];
  };

  it("carries the topic's users only, to admins and the topic's managers, limit counted after the filter", async () => {
    const since = Date.now();
    for (const [UserId, Present] of [
      [1, true],
      [883, false],
      [900, true],
      [883, true],
    ]) {
      const saved = await call(server, ADMIN, "POST", "/api/v1/Presence/SaveAll", [
        { UserId, Present },
      ]);
      assert.equal(saved.status, 204, JSON.stringify(saved.body));
    }
    const users = (entries: { UserId: number }[]) => entries.map((e) => e.UserId);
    assert.deepEqual(users(await history(ADMIN, `since=${since}&topicId=574`)), [883, 883]);
    assert.deepEqual(users(await history(ADMIN, `since=${since}&topicId=128`)), [883, 883]);
    assert.deepEqual(users(await history(OCON, `since=${since}&topicId=574`)), [883, 883]);
    const first = await history(OCON, `since=${since}&topicId=574&limit=1`);
    assert.equal(first.length, 1);
    assert.deepEqual(users(await history(ADMIN, `since=${since}`)), [1, 883, 900, 883]);
    // Kuhn listens in Sales and responds in Support but manages neither; ocon not Sales.
    for (const [auth, topicId] of [
      [KUHN, 574],
      [KUHN, 128],
      [OCON, 128],
    ] as const) {
      assertError(
        await call(server, auth, "GET", `/api/v1/Presence/History?topicId=${topicId}`),
        403,
        "PRES_ERR_TOPIC_RIGHT",
      );
    }
  });
});
