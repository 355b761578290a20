/**
 * Webhook EventTypes over real HTTP both ways, on SQLite and PostgreSQL: registering with
 * presence, routing or both (bad ones refused with 400), routing events delivered signed to the
 * webhooks that take routing (by topic) and to no others, presence changes not to routing-only
 * ones; and on two PostgreSQL nodes each routing event delivered once for the cluster.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { scratchSchema, serverStores } from "./support/postgres.ts";
import { expectError } from "./support/rest.ts";
import { offer, record } from "./support/routing-stream.ts";
import type { TestServer } from "./support/server.ts";
import {
  ADMIN,
  KUHN,
  pause,
  Receiver,
  SECRET,
  startWebhookServer,
  until,
  verify,
  webhookClient,
} from "./support/webhooks.ts";

const STORES = await serverStores("routing webhooks");

const bodyOf = (received: { body: string }) => JSON.parse(received.body);

for (const { store, skip, open } of STORES) {
  describe(`webhook EventTypes (${store})`, { skip }, () => {
    let server: TestServer;
    const receiver = new Receiver();
    const { register, hook, unhook, save, deliveries } = webhookClient(() => server, receiver);
    const { db, drop } = open();

    before(async () => {
      await receiver.listen();
      server = await startWebhookServer(db ? { db } : {});
    });
    after(async () => {
      await server.close();
      await receiver.close();
      await drop();
    });

    it("takes EventTypes on registration, presence when absent, and shows them", async () => {
      const url = `${receiver.url}/types`;
      for (const [given, kept] of [
        [undefined, ["presence"]],
        [null, ["presence"]],
        [["routing"], ["routing"]],
        [
          ["routing", "presence", "routing"],
          ["presence", "routing"],
        ],
      ] as const) {
        const response = await register({ Url: url, Secret: SECRET, EventTypes: given });
        assert.equal(response.status, 201, await response.clone().text());
        const created = await response.json();
        assert.deepEqual(created.EventTypes, kept);
        const read = await server.fetch(`/api/v1/Webhooks/${created.WebhookId}`, {
          headers: ADMIN,
        });
        const shown = await read.json();
        assert.deepEqual(shown.EventTypes, kept);
        assert.equal(shown.Events.includes("presence.changed"), kept.includes("presence" as never));
        assert.equal(shown.Events.includes("routing.offered"), kept.includes("routing" as never));
        await unhook(created.WebhookId);
      }
    });

    it("refuses empty, unknown or malformed EventTypes with 400, registering nothing", async () => {
      const before = (await (await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).json())
        .length;
      const url = `${receiver.url}/bad`;
      for (const bad of [[], ["routing", "queue"], [null], [7]]) {
        const response = await register({ Url: url, Secret: SECRET, EventTypes: bad });
        await expectError(response, 400, { message: /EventTypes/ });
      }
      const notArray = await register({ Url: url, Secret: SECRET, EventTypes: "routing" });
      assert.equal(notArray.status, 400);
      const after = await (await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).json();
      assert.equal(after.length, before);
    });

    it("changes a webhook's EventTypes in place: later events follow the new choice", async () => {
      const id = await hook("/switched");
      const put = (types: unknown, headers = ADMIN, target = id) =>
        server.fetch(`/api/v1/Webhooks/${target}/EventTypes`, {
          method: "PUT",
          headers: { ...headers, "Content-Type": "application/json" },
          body: JSON.stringify({ EventTypes: types }),
        });
      await expectError(await put([]), 400, { message: /EventTypes/ });
      await expectError(await put(["routing"], KUHN), 403);
      await expectError(await put(["routing"], ADMIN, 99_999), 404);
      const changed = await put(["routing"]);
      assert.equal(changed.status, 200);
      assert.deepEqual((await changed.json()).EventTypes, ["routing"]);
      await save([{ UserId: 589, Present: true }]);
      await record(server, [offer(574, 61)]);
      const [got] = await until("the routing delivery", () => {
        const list = receiver.at("/switched");
        return list.length > 0 ? list : undefined;
      });
      await pause(300);
      assert.equal(receiver.at("/switched").length, 1, "the presence change was not sent");
      assert.equal(bodyOf(got).ChatSessionId, 61);
      await unhook(id);
    });

    it("delivers routing events, signed, to routing webhooks only, by topic", async () => {
      const routing = await hook("/routing", undefined, ["routing"]);
      const sales = await hook("/routing-128", 128, ["routing"]);
      const presence = await hook("/presence");
      const at = Date.UTC(2026, 3, 1, 8, 0, 0);
      await record(server, [offer(574, 51, 883, at), offer(128, 52, 883, at)]);
      await save([{ UserId: 883, Present: true }]);
      const got = await until("both routing deliveries", () => {
        const list = receiver.at("/routing");
        return list.length >= 2 ? list : undefined;
      });
      const [first] = got;
      verify(first);
      assert.equal(first.headers["x-chatpresence-event"], "routing.offered");
      const { DeliveryId, ...event } = bodyOf(first);
      assert.equal(DeliveryId, first.headers["x-chatpresence-delivery"]);
      assert.deepEqual(Object.keys(event), [
        "Id",
        "Type",
        "TopicId",
        "ChatSessionId",
        "UserId",
        "At",
        "ExpiresAt",
      ]);
      assert.deepEqual(
        { ...event, Id: 0 },
        {
          Id: 0,
          Type: "offered",
          TopicId: 574,
          ChatSessionId: 51,
          UserId: 883,
          At: "2026-04-01T08:00:00.000Z",
          ExpiresAt: "2026-04-01T08:00:30.000Z",
        },
      );
      await until("the presence delivery", () => receiver.at("/presence").length > 0);
      await until("the topic's routing delivery", () => receiver.at("/routing-128").length > 0);
      // Anything misrouted would have arrived by now as well.
      await pause(300);
      assert.equal(receiver.at("/routing").length, 2, "the presence change is not sent to it");
      assert.deepEqual(
        receiver.at("/routing-128").map((r) => bodyOf(r).ChatSessionId),
        [52],
      );
      assert.ok(
        receiver.at("/presence").every((r) => bodyOf(r).Type === undefined),
        "no routing event to a presence webhook",
      );
      const log = await deliveries(routing);
      assert.deepEqual(
        log.map((d: { EventType: string; UserId: number }) => [d.EventType, d.UserId]),
        [
          ["routing", 883],
          ["routing", 883],
        ],
      );
      for (const id of [routing, sales, presence]) await unhook(id);
    });
  });
}

describe("routing webhooks on two PostgreSQL nodes", { skip: STORES[1]?.skip }, () => {
  const scratch = scratchSchema();
  const receiver = new Receiver();
  let a: TestServer;
  let b: TestServer;
  const { hook } = webhookClient(() => a, receiver);

  before(async () => {
    await receiver.listen();
    a = await startWebhookServer({ db: scratch.url });
    b = await startWebhookServer({ db: scratch.url });
  });
  after(async () => {
    await a.close();
    await b.close();
    await receiver.close();
    await scratch.drop();
  });

  it("delivers each routing event once for the cluster, whichever node records it", async () => {
    await hook("/cluster", undefined, ["routing"]);
    const writes = [];
    for (let i = 0; i < 40; i++) writes.push(record(i % 2 ? a : b, [offer(574, 2000 + i)]));
    await Promise.all(writes);
    await until("every delivery", () => receiver.at("/cluster").length >= 40, 20_000);
    await pause(500);
    const sessions = receiver.at("/cluster").map((r) => bodyOf(r).ChatSessionId);
    assert.deepEqual(
      sessions.sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => 2000 + i),
      "each once",
    );
  });
});
