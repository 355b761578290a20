/** The webhooks part of the store contract: registrations, the outbox's fan-out and purge. */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Webhook } from "../../src/domain/webhook.ts";
import { BACKENDS } from "../support/backends.ts";
import {
  describeStore,
  directory,
  enqueue,
  event,
  logged,
  type StoreFactory,
} from "../support/store-contract.ts";
import { HEALTHY, retry, SECRET, success, webhookFixtures } from "../support/webhook-store.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function webhooksSuite(backend: StoreFactory): void {
  describeStore("webhooks store", backend, (store) => {
    const { claim, hook } = webhookFixtures(store);

    it("creates, lists, reads and deletes webhooks, keeping the secret to sign with", async () => {
      const a = await hook();
      const b = await hook(574);
      assert.ok(b.id > a.id);
      assert.deepEqual(a, {
        id: a.id,
        url: "https://example.test/hook?x=1",
        secret: SECRET,
        topicId: null,
        eventTypes: ["presence"],
        createdAt: 5000,
        createdBy: 1,
        health: HEALTHY,
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

    it("saves committed together write one outbox entry for their changes, in their transaction", async () => {
      await store.importDirectory(directory());
      const log = {
        now: 10_000,
        ttlSeconds: null,
        describe: (change: { userId: number; present: boolean; previousPresent: boolean }) => ({
          UserId: change.userId,
          Present: change.present,
          OngoingChats: 0,
          ChatTopics: [],
          Previous: { Present: change.previousPresent, OngoingChats: 0, ChatTopics: [] },
          Source: "api" as const,
          ChangedBy: 1,
          at: 10_000,
        }),
      };
      const unhooked = await store.savePresence([{ userId: 3, present: true }], log);
      assert.equal(unhooked.enqueued, false, "no webhook, no entry");
      assert.equal(await store.fanOut(1000), false);
      const webhook = await hook();
      const saved = await Promise.all([
        store.savePresence([{ userId: 1, present: true }], log),
        store.savePresence(
          [
            { userId: 3, present: false },
            { userId: 2, present: false },
          ],
          log,
        ),
      ]);
      assert.deepEqual(
        saved.map((s) => s.enqueued),
        [true, true],
      );
      assert.equal(await store.fanOut(1000), true);
      assert.equal(await store.fanOut(1000), false, "one entry for the batch");
      const delivered = (await store.listDeliveries(webhook.id, 10)).map((d) => d.event);
      assert.deepEqual(delivered.reverse(), [...saved[0].events, ...saved[1].events]);
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
