/**
 * Webhooks in a cluster: two server nodes on one PostgreSQL schema, each with its own delivery
 * worker and change bus. Every change is delivered once for the whole cluster, whichever node
 * made it and whichever worker sends it.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const skip = await announceSkip("webhooks cluster");
const ADMIN = { Authorization: basic("tje0", "Tje0"), "Content-Type": "application/json" };
const FAST = { pollIntervalMs: 20, retryBaseMs: 50, retryMaxMs: 100, timeoutMs: 1000 };

describe("webhooks on two nodes sharing PostgreSQL", { skip }, () => {
  const scratch = scratchSchema();
  const received: { version: number; deliveryId: string }[] = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const event = JSON.parse(body);
      received.push({ version: event.Version, deliveryId: event.DeliveryId });
      response.writeHead(204).end();
    });
  });
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    a = await startTestServer({ db: scratch.url, webhookAllowPrivate: true, webhooks: FAST });
    // The same seed again: an upsert of identical rows, so no change and no delivery.
    b = await startTestServer({ db: scratch.url, webhookAllowPrivate: true, webhooks: FAST });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await scratch.drop();
  });

  it("delivers each change once, whichever node made it", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cluster`;
    const registered = await a.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ Url: url, Secret: "cluster-wide-secret-0001" }),
    });
    assert.equal(registered.status, 201);
    const { WebhookId } = await registered.json();
    const seen = await b.fetch(`/api/v1/Webhooks/${WebhookId}`, { headers: ADMIN });
    assert.equal(seen.status, 200, "registered on one node, visible on the other");

    const changes = 12;
    for (let i = 0; i < changes; i++) {
      const node = i % 2 === 0 ? a : b;
      const response = await node.fetch("/api/v1/Presence/SaveAll", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify([{ UserId: 589, Present: i % 2 === 0 }]),
      });
      assert.equal(response.status, 204);
    }
    const deadline = Date.now() + 10_000;
    while (received.length < changes && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // Time for any duplicate to arrive: both workers poll every 20 ms.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(received.length, changes, "one delivery per change, not one per node");
    assert.equal(new Set(received.map((r) => r.version)).size, changes);
    assert.equal(new Set(received.map((r) => r.deliveryId)).size, changes);

    const log = await (
      await b.fetch(`/api/v1/Webhooks/${WebhookId}/Deliveries`, { headers: ADMIN })
    ).json();
    assert.equal(log.length, changes);
    assert.ok(log.every((d: { Status: string; Attempts: number }) => d.Status === "delivered"));
    assert.ok(log.every((d: { Attempts: number }) => d.Attempts === 1));
  });
});
