/** The webhook deliveries part of the store contract: claims, outcomes and resting receivers. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { BACKENDS } from "../support/backends.ts";
import { describeStore, enqueue, event, type StoreFactory } from "../support/store-contract.ts";
import { HEALTHY, retry, SECRET, success, webhookFixtures } from "../support/webhook-store.ts";

function webhookDeliveriesSuite(backend: StoreFactory): void {
  describeStore("webhook deliveries store", backend, (store) => {
    const { claim, hook } = webhookFixtures(store);

    it("claims due deliveries with the webhook's URL and secret, counting the attempt", async () => {
      const webhook = await hook();
      const events = await enqueue(store, [event(2, []), event(3, [])], 10_000);
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
      await enqueue(store, [event(2, []), event(3, []), event(4, [])], 10_000);
      const [ok, later, failed] = await claim(10_000);
      const delivered = success(10_100, 204);
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
      await enqueue(store, events, 10_000);
      const claims = await Promise.all(Array.from({ length: 8 }, () => claim(10_000, 3)));
      const ids = claims.flat().map((c) => c.id);
      assert.equal(ids.length, new Set(ids).size, "no row was claimed twice");
      assert.equal(ids.length, 48);
      const tokens = claims.map((c) => new Set(c.map((d) => d.claimToken)));
      assert.ok(
        tokens.every((t) => t.size <= 1),
        "one token per claim",
      );
      assert.equal((await claim(10_000)).length, 12, "the rest");
    });

    it("claims per webhook, up to each one's limit, lowest Version first", async () => {
      const a = await hook();
      const b = await hook();
      const events = await enqueue(
        store,
        Array.from({ length: 6 }, (_, i) => event(i + 2, [])),
        10_000,
      );
      const claimed = await store.claimDeliveries({
        token: randomUUID(),
        now: 10_000,
        leaseMs: 1000,
        webhooks: [
          { webhookId: a.id, limit: 2 },
          { webhookId: b.id, limit: 3 },
        ],
      });
      assert.deepEqual(
        claimed.map((c) => [c.webhookId, c.event.Version]),
        [
          [a.id, events[0].Version],
          [a.id, events[1].Version],
          [b.id, events[0].Version],
          [b.id, events[1].Version],
          [b.id, events[2].Version],
        ],
      );
      assert.deepEqual(await store.dueWebhooks(10_000, 2), [
        { webhookId: a.id, due: 2, failing: false },
        { webhookId: b.id, due: 2, failing: false },
      ]);
      assert.deepEqual(await store.dueWebhooks(10_000, 10), [
        { webhookId: a.id, due: 4, failing: false },
        { webhookId: b.id, due: 3, failing: false },
      ]);
    });

    it("rests a failing receiver with growing pauses and clears its state on success", async () => {
      const webhook = await hook();
      const other = await hook();
      await enqueue(store, [event(2, []), event(3, [])], 10_000);
      const [first, alongside] = await store.claimDeliveries({
        token: randomUUID(),
        now: 10_000,
        leaseMs: 1000,
        webhooks: [{ webhookId: webhook.id, limit: 2 }],
      });
      await store.recordDelivery(first.id, first.claimToken, retry(10_000, 10_500));
      // The other attempt in flight fails too, during the rest: it counts once.
      await store.recordDelivery(alongside.id, alongside.claimToken, {
        ...retry(10_400, 10_500),
        statusCode: null,
        error: "no answer within 5000 ms",
      });
      assert.deepEqual((await store.getWebhook(webhook.id))?.health, {
        failingSince: 10_000,
        nextAttemptAt: 11_000,
        lastError: "no answer within 5000 ms",
        consecutiveFailures: 1,
      });
      assert.deepEqual(
        (await store.dueWebhooks(10_999, 4)).map((w) => w.webhookId),
        [other.id],
        "the failing receiver rests; the other is still due",
      );
      const [again] = (await claim(11_000, 1)).filter((c) => c.webhookId === webhook.id);
      assert.deepEqual(await store.dueWebhooks(11_000, 4), [
        { webhookId: webhook.id, due: 1, failing: true },
        { webhookId: other.id, due: 1, failing: false },
      ]);
      await store.recordDelivery(again.id, again.claimToken, retry(11_000, 12_000));
      const second = (await store.getWebhook(webhook.id))?.health;
      assert.deepEqual(second, {
        failingSince: 10_000,
        nextAttemptAt: 13_000,
        lastError: "the receiver answered 500",
        consecutiveFailures: 2,
      });
      const [third] = (await claim(13_000, 1)).filter((c) => c.webhookId === webhook.id);
      await store.recordDelivery(third.id, third.claimToken, success(13_001));
      assert.deepEqual((await store.getWebhook(webhook.id))?.health, HEALTHY);
    });
  });
}

for (const backend of BACKENDS) webhookDeliveriesSuite(backend);
