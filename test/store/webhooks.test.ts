/** The webhooks part of the store contract: registrations and the delivery outbox. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { beforeEach, it } from "node:test";
import type { DeliveryOutcome } from "../../src/store/webhooks.ts";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, event, type StoreFactory } from "../support/store-contract.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const SECRET = "0123456789abcdef-secret";

function retry(at: number, nextAttemptAt: number | null): DeliveryOutcome {
  return {
    at,
    statusCode: 500,
    error: "the receiver answered 500",
    delivered: false,
    nextAttemptAt,
  };
}

function webhooksSuite(backend: StoreFactory): void {
  describeStore("webhooks store", backend, (store) => {
    const claim = (now: number, limit = 100, leaseMs = 1000) =>
      store.claimDeliveries({ token: randomUUID(), now, leaseMs, limit });
    const hook = (topicId: number | null = null) =>
      store.createWebhook(
        { url: "https://example.test/hook?x=1", secret: SECRET, topicId, createdBy: 1 },
        5000,
      );

    beforeEach(async () => {
      for (const webhook of await store.listWebhooks()) await store.deleteWebhook(webhook.id);
    });

    it("creates, lists, reads and deletes webhooks, keeping the secret to sign with", async () => {
      const a = await hook();
      const b = await hook(574);
      assert.ok(b.id > a.id);
      assert.deepEqual(a, {
        id: a.id,
        url: "https://example.test/hook?x=1",
        secret: SECRET,
        topicId: null,
        createdAt: 5000,
        createdBy: 1,
      });
      assert.deepEqual(await store.getWebhook(b.id), b);
      assert.deepEqual(await store.listWebhooks(), [a, b]);
      assert.equal(await store.deleteWebhook(a.id), true);
      assert.equal(await store.deleteWebhook(a.id), false);
      assert.equal(await store.getWebhook(a.id), null);
      assert.deepEqual(await store.listWebhooks(), [b]);
    });

    it("enqueues one delivery per matching webhook and event, topics before or after", async () => {
      const all = await hook();
      const sales = await hook(128);
      const events = [event(2, [128, 574]), event(3, [574]), event(4, [], [128]), event(5, [])];
      assert.equal(await store.enqueueDeliveries(events, 10_000), 4 + 2);
      assert.equal(await store.enqueueDeliveries([], 10_000), 0);
      const log = await store.listDeliveries(all.id, 10);
      assert.deepEqual(
        log.map((d) => d.event),
        [...events].reverse(),
        "newest first, events unchanged",
      );
      assert.deepEqual(
        (await store.listDeliveries(sales.id, 10)).map((d) => d.event.UserId),
        [4, 2],
      );
      const [first] = log;
      assert.match(first.id, UUID);
      assert.equal(new Set(log.map((d) => d.id)).size, 4);
      assert.deepEqual(
        { ...first, id: "", event: null },
        {
          id: "",
          webhookId: all.id,
          event: null,
          status: "pending",
          attempts: 0,
          lastStatusCode: null,
          lastError: null,
          lastAttemptAt: null,
          nextAttemptAt: 10_000,
          deliveredAt: null,
          createdAt: 10_000,
        },
      );
      assert.equal((await store.listDeliveries(all.id, 2)).length, 2);
    });

    it("claims due deliveries with the webhook's URL and secret, counting the attempt", async () => {
      const webhook = await hook();
      const events = [event(2, []), event(3, [])];
      await store.enqueueDeliveries(events, 10_000);
      assert.deepEqual(await claim(9_999), [], "not due yet");
      const claimed = await claim(10_000);
      assert.deepEqual(
        claimed.map((c) => c.event),
        events,
      );
      assert.equal(claimed[0].url, "https://example.test/hook?x=1");
      assert.equal(claimed[0].secret, SECRET);
      assert.equal(claimed[0].webhookId, webhook.id);
      assert.equal(claimed[0].attempts, 1);
      assert.deepEqual(await claim(10_500), [], "the lease holds");
      const again = await claim(11_000);
      assert.equal(again.length, 2, "a lapsed lease is taken over");
      assert.equal(again[0].attempts, 2);
      const [log] = await store.listDeliveries(webhook.id, 1);
      assert.equal(log.attempts, 2);
      assert.equal(log.lastAttemptAt, 11_000);
      assert.equal(
        await store.recordDelivery(claimed[0].id, claimed[0].claimToken, retry(11_001, 20_000)),
        false,
        "the first claim lost its lease: its outcome is ignored",
      );
    });

    it("records outcomes: delivered, retry later, failed for good", async () => {
      const webhook = await hook();
      await store.enqueueDeliveries([event(2, []), event(3, []), event(4, [])], 10_000);
      const [ok, later, failed] = await claim(10_000);
      const delivered: DeliveryOutcome = {
        at: 10_100,
        statusCode: 204,
        error: null,
        delivered: true,
        nextAttemptAt: null,
      };
      assert.equal(await store.recordDelivery(ok.id, ok.claimToken, delivered), true);
      assert.equal(await store.recordDelivery(ok.id, ok.claimToken, delivered), false, "once");
      assert.equal(
        await store.recordDelivery(later.id, later.claimToken, retry(10_100, 15_000)),
        true,
      );
      assert.equal(
        await store.recordDelivery(failed.id, failed.claimToken, {
          ...retry(10_100, null),
          statusCode: null,
          error: "no answer within 5000 ms",
        }),
        true,
      );
      const log = new Map((await store.listDeliveries(webhook.id, 10)).map((d) => [d.id, d]));
      assert.deepEqual(
        [log.get(ok.id)?.status, log.get(ok.id)?.deliveredAt, log.get(ok.id)?.lastStatusCode],
        ["delivered", 10_100, 204],
      );
      assert.equal(log.get(ok.id)?.nextAttemptAt, null);
      assert.deepEqual(
        [log.get(later.id)?.status, log.get(later.id)?.nextAttemptAt, log.get(later.id)?.lastError],
        ["pending", 15_000, "the receiver answered 500"],
      );
      assert.deepEqual(
        [
          log.get(failed.id)?.status,
          log.get(failed.id)?.nextAttemptAt,
          log.get(failed.id)?.lastStatusCode,
        ],
        ["failed", null, null],
      );
      assert.deepEqual(await claim(14_999), [], "the retry is not due yet, the others are done");
      const retried = await claim(15_000);
      assert.deepEqual(
        retried.map((c) => [c.id, c.attempts]),
        [[later.id, 2]],
      );
    });

    it("never gives the same row to two concurrent claims", async () => {
      await hook();
      await hook(128);
      const events = Array.from({ length: 30 }, (_, i) => event(i + 2, [128]));
      assert.equal(await store.enqueueDeliveries(events, 10_000), 60);
      const claims = await Promise.all(Array.from({ length: 8 }, () => claim(10_000, 7)));
      const ids = claims.flat().map((c) => c.id);
      assert.equal(ids.length, new Set(ids).size, "no row was claimed twice");
      assert.equal(ids.length, 56);
      const tokens = claims.map((c) => new Set(c.map((d) => d.claimToken)));
      assert.ok(
        tokens.every((t) => t.size <= 1),
        "one token per claim",
      );
      assert.equal((await claim(10_000)).length, 4, "the rest");
    });

    it("deleting a webhook drops its pending deliveries and any claim on them", async () => {
      const gone = await hook();
      const kept = await hook();
      await store.enqueueDeliveries([event(2, [])], 10_000);
      const claimed = await claim(10_000);
      assert.equal(claimed.length, 2);
      await store.enqueueDeliveries([event(3, [])], 10_000);
      await store.deleteWebhook(gone.id);
      const mine = claimed.find((c) => c.webhookId === gone.id);
      assert.ok(mine);
      assert.equal(
        await store.recordDelivery(mine.id, mine.claimToken, retry(10_001, 10_002)),
        false,
      );
      const rest = await claim(20_000);
      assert.deepEqual(
        rest.map((c) => c.webhookId),
        [kept.id, kept.id],
        "only the kept webhook's deliveries (the lapsed claim and the new one)",
      );
      assert.deepEqual(await store.listDeliveries(gone.id, 10), []);
    });

    it("purges finished deliveries older than the cut-off, never pending ones", async () => {
      const webhook = await hook();
      await store.enqueueDeliveries([event(2, []), event(3, [])], 10_000);
      await store.enqueueDeliveries([event(4, [])], 30_000);
      const [done, pending] = await claim(10_000);
      await store.recordDelivery(done.id, done.claimToken, {
        at: 10_001,
        statusCode: 200,
        error: null,
        delivered: true,
        nextAttemptAt: null,
      });
      await store.recordDelivery(pending.id, pending.claimToken, retry(10_001, 50_000));
      assert.equal(await store.purgeDeliveries(20_000), 1);
      const left = (await store.listDeliveries(webhook.id, 10)).map((d) => d.event.UserId);
      assert.deepEqual(left, [4, 3]);
    });
  });
}

for (const backend of BACKENDS) webhooksSuite(backend);
