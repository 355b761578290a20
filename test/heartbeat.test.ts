/** Heartbeat expiry: presence that lapses unless renewed, server-wide or per user. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN as ADMIN_AUTH, KUHN as KUHN_AUTH, saveAs } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: ADMIN_AUTH };
const KUHN = { Authorization: KUHN_AUTH };

describe("heartbeat expiry", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ presenceTtl: 1 });
  });
  after(() => server.close());

  it("lapses an unrenewed Present=true within a second of its deadline, source expiry", async () => {
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream?userId=883`, ADMIN);
    await stream.next();
    // The deadline is set while the save runs: after it was sent, before it was answered.
    const sentAt = Date.now();
    await saveAs(server, KUHN, [{ UserId: 883, Present: true }]);
    const savedAt = Date.now();
    assert.equal(JSON.parse((await stream.next()).data).Present, true);
    const lapse = JSON.parse((await stream.next(3000)).data);
    const lapsedAt = Date.now();
    assert.equal(lapse.Present, false);
    assert.equal(lapse.Source, "expiry");
    assert.equal(lapse.ChangedBy, null);
    assert.ok(lapsedAt - sentAt >= 1000, `lapsed ${lapsedAt - sentAt} ms after the save was sent`);
    assert.ok(lapsedAt - savedAt < 2000, `lapsed ${lapsedAt - savedAt} ms after it was answered`);
    stream.close();
  });

  it("a heartbeat keeps presence alive; an agent may not renew someone else", async () => {
    await saveAs(server, KUHN, [{ UserId: 883, Present: true }]);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const beat = await server.fetch("/api/v1/Presence/Heartbeat", {
        method: "POST",
        headers: KUHN,
      });
      assert.equal(beat.status, 204);
    }
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 883).Present, true);
    const other = await server.fetch("/api/v1/Presence/Heartbeat", {
      method: "POST",
      headers: { ...KUHN, "Content-Type": "application/json" },
      body: JSON.stringify({ UserId: 589 }),
    });
    assert.equal(other.status, 403);
  });

  it("never turns a Present=false back on", async () => {
    await saveAs(server, KUHN, [{ UserId: 883, Present: false }]);
    await new Promise((r) => setTimeout(r, 1300));
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 883).Present, false);
  });
});

describe("a user's own heartbeat TTL", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(); // no server-wide --presence-ttl
  });
  after(() => server.close());

  it("set through ChatUser, lapses that user only; 0 returns them to the server default", async () => {
    const put = (id: number, ttl: number) =>
      server.fetch(`/api/v1/ChatUser/${id}`, {
        method: "PUT",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify({ PresenceTtl: ttl }),
      });
    const response = await put(883, 1);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).PresenceTtl, 1);
    assert.equal((await put(883, -5)).status, 400);
    await saveAs(server, ADMIN, [
      { UserId: 883, Present: true },
      { UserId: 589, Present: true },
    ]);
    await new Promise((r) => setTimeout(r, 1800));
    let all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    const present = (id: number) => all.find((p: { UserId: number }) => p.UserId === id).Present;
    assert.equal(present(883), false, "883 had a 1 s TTL");
    assert.equal(present(589), true, "589 has no TTL");
    assert.equal((await (await put(883, 0)).json()).PresenceTtl, 0);
    await saveAs(server, ADMIN, [{ UserId: 883, Present: true }]);
    await new Promise((r) => setTimeout(r, 1300));
    all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(present(883), true, "back on the server default: no expiry");
  });

  it("can be given in the import file", async () => {
    await server.services.directory.importSeed({
      users: [
        {
          id: 950,
          username: "short",
          displayName: "Short",
          role: "agent",
          present: false,
          password: null,
          passwordHash: null,
          presenceTtl: 30,
        },
      ],
      topics: [],
      members: [],
      sessions: [],
      appTokens: [],
    });
    assert.equal((await server.store.getUser(950))?.presenceTtl, 30);
  });
});
