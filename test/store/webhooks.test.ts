/** The webhooks part of the store contract: registrations and the delivery outbox. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { beforeEach, it } from "node:test";
import type { Webhook } from "../../src/domain/webhook.ts";
import type { DeliveryOutcome } from "../../src/store/webhooks.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  describeStore,
  enqueue,
  event,
  logged,
  type StoreFactory,
} from "../support/store-contract.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const SECRET = "0123456789abcdef-secret";

export const BACKOFF = { baseMs: 1000, maxMs: 8000, jitter: 1 };

function retry(at: number, nextAttemptAt: number | null): DeliveryOutcome {
  return {
    at,
    statusCode: 500,
    error: "the receiver answered 500",
    delivered: false,
    nextAttemptAt,
    backoff: BACKOFF,
  };
}

function success(at: number, statusCode = 200): DeliveryOutcome {
  return { at, statusCode, error: null, delivered: true, nextAttemptAt: null, backoff: BACKOFF };
}

function webhooksSuite(backend: StoreFactory): void {
  describeStore("webhooks store", backend, (store) => {
    /** Claims up to `limit` deliveries from every webhook. */
    const claim = async (now: number, limit = 100, leaseMs = 1000) => {
      const webhooks = (await store.listWebhooks()).map((w) => ({ webhookId: w.id, limit }));
      return store.claimDeliveries({ token: randomUUID(), now, leaseMs, webhooks });
    };
    const hook = async (topicId: number | null = null, createdAt = 5000) => {
      const webhook = await store.createWebhook(
        { url: "https://example.test/hook?x=1", secret: SECRET, topicId, createdBy: 1 },
        createdAt,
        100,
      );
      assert.ok(webhook);
      return webhook;
    };
    const healthy = {
      failingSince: null,
      nextAttemptAt: null,
      lastError: null,
      consecutiveFailures: 0,
    };

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
        health: healthy,
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
      const events = await logged(store, [
        event(2, [128, 574]),
        event(3, [574]),
        event(4, [], [128]),
        event(5, []),
      ]);
      assert.equal(await store.enqueueChanges([], 10_000), false);
      assert.equal(await store.enqueueChanges(events, 10_000), true);
      assert.deepEqual(await store.listDeliveries(all.id, 10), [], "nothing before the fan-out");
      while (await store.fanOut(1000));
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

    it("deleting a webhook drops its pending deliveries and any claim on them", async () => {
      const gone = await hook();
      const kept = await hook();
      await enqueue(store, [event(2, [])], 10_000);
      const claimed = await claim(10_000);
      assert.equal(claimed.length, 2);
      await enqueue(store, [event(3, [])], 10_000);
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
      await enqueue(store, [event(2, []), event(3, [])], 10_000);
      await enqueue(store, [event(4, [])], 30_000);
      const [done, pending] = await claim(10_000);
      await store.recordDelivery(done.id, done.claimToken, success(10_001));
      await store.recordDelivery(pending.id, pending.claimToken, retry(10_001, 50_000));
      assert.equal(await store.purgeDeliveries(20_000), 1);
      const left = (await store.listDeliveries(webhook.id, 10)).map((d) => d.event.UserId);
      assert.deepEqual(left, [4, 3]);
    });
    it("writes one outbox entry per change set, none without webhooks, and fans out in steps", async () => {
      assert.equal(await store.enqueueChanges([event(2, [])], 9_000), false, "no webhook yet");
      assert.equal(await store.fanOut(1000), false, "nothing to fan out");
      const hooks: Webhook[] = [];
      for (let i = 0; i < 5; i++) hooks.push(await hook());
      const events = await logged(
        store,
        Array.from({ length: 10 }, (_, i) => event(i + 2, [])),
      );
      assert.equal(await store.enqueueChanges(events, 10_000), true);
      // A budget of 20 rows serves two webhooks of ten events per step: 2 + 2 + 1.
      const counts = async () =>
        Promise.all(hooks.map(async (h) => (await store.listDeliveries(h.id, 100)).length));
      assert.equal(await store.fanOut(20), true);
      assert.deepEqual(await counts(), [10, 10, 0, 0, 0]);
      assert.equal(await store.fanOut(20), true);
      assert.deepEqual(await counts(), [10, 10, 10, 10, 0]);
      assert.equal(await store.fanOut(20), true);
      assert.deepEqual(await counts(), [10, 10, 10, 10, 10]);
      assert.equal(await store.fanOut(20), false, "the entry is gone");
      const later = await hook(null, 20_000);
      await enqueue(store, [event(20, [])], 30_000);
      assert.deepEqual(
        (await store.listDeliveries(later.id, 100)).map((d) => d.event.UserId),
        [20],
        "a webhook registered after a change does not get it",
      );
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
      assert.deepEqual((await store.getWebhook(webhook.id))?.health, healthy);
    });

    it("never registers more webhooks than the limit, however many arrive at once", async () => {
      for (let round = 0; round < 10; round++) {
        for (const webhook of await store.listWebhooks()) await store.deleteWebhook(webhook.id);
        const attempts = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.createWebhook(
              { url: `https://example.test/${i}`, secret: SECRET, topicId: null, createdBy: 1 },
              5000,
              5,
            ),
          ),
        );
        assert.equal(attempts.filter((w) => w !== null).length, 5, `round ${round}`);
        assert.equal((await store.listWebhooks()).length, 5, `round ${round}`);
      }
    });

    it("deletes a webhook with 20,000 deliveries quickly", async () => {
      const webhook = await hook();
      const events = await logged(
        store,
        Array.from({ length: 20_000 }, (_, i) => event((i % 500) + 2, [])),
      );
      await store.enqueueChanges(events, 10_000);
      while (await store.fanOut(5000));
      assert.equal((await store.listDeliveries(webhook.id, 1000)).length, 1000);
      const started = performance.now();
      assert.equal(await store.deleteWebhook(webhook.id), true);
      const ms = performance.now() - started;
      assert.deepEqual(await store.listDeliveries(webhook.id, 10), []);
      console.log(`deleting a webhook with 20,000 deliveries took ${ms.toFixed(0)} ms`);
      assert.ok(ms < 1000, `the delete took ${ms.toFixed(0)} ms`);
    });
  });
}

for (const backend of BACKENDS) webhooksSuite(backend);
