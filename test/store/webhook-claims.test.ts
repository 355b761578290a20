/**
 * The webhook outbox claim under real concurrency, on each backend's own terms: worker threads
 * on one SQLite file, and separate pools (as separate nodes have) on one PostgreSQL schema.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import type { PresenceEvent } from "../../src/domain/presence.ts";
import type { Delivery } from "../../src/domain/webhook.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { postgresSkip } from "../support/backends.ts";
import { twoNodesOnOneSchema } from "../support/postgres.ts";
import { enqueue, event, logged } from "../support/store-contract.ts";

const DELIVERIES = 200;

/** Worker threads do not inherit tsx's loader on Node 20: register it, then load the worker. */
const WORKER_BOOT = `import("tsx/esm/api").then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL("../support/claim-worker.ts", import.meta.url).href)});
});`;

/** Registers two webhooks and enqueues 100 events: 200 due deliveries. */
async function fill(store: Store): Promise<Set<string>> {
  const secret = "0123456789abcdef";
  const a = await store.createWebhook(
    { url: "http://a.test/", secret, topicId: null, createdBy: 1 },
    1,
    100,
  );
  const b = await store.createWebhook(
    { url: "http://b.test/", secret, topicId: null, createdBy: 1 },
    1,
    100,
  );
  assert.ok(a && b);
  const events = Array.from({ length: DELIVERIES / 2 }, (_, i) => event(i + 2, []));
  await enqueue(store, events, 10_000);
  const ids = [
    ...(await store.listDeliveries(a.id, 1000)),
    ...(await store.listDeliveries(b.id, 1000)),
  ];
  return new Set(ids.map((d) => d.id));
}

function assertPartition(all: Set<string>, claims: string[][]) {
  const claimed = claims.flat();
  assert.equal(new Set(claimed).size, claimed.length, "no delivery was claimed twice");
  assert.deepEqual(new Set(claimed), all, "every delivery was claimed");
  assert.ok(claims.filter((c) => c.length > 0).length > 1, "the claimers really competed");
}

describe("outbox claims under concurrency", () => {
  it("sqlite: four worker threads on one file never claim the same row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-claims-"));
    try {
      const path = join(dir, "claims.db");
      const store = openSqliteStore({ path });
      const all = await fill(store);
      const start = new Int32Array(new SharedArrayBuffer(4));
      const ready: Promise<void>[] = [];
      const claims = Promise.all(
        Array.from({ length: 4 }, () => {
          const worker = new Worker(WORKER_BOOT, {
            eval: true,
            workerData: { path, now: 10_000, limit: 2, start },
          });
          ready.push(new Promise((resolve) => worker.once("message", () => resolve())));
          return new Promise<string[]>((resolve, reject) => {
            worker.on("message", (message) => {
              if (Array.isArray(message)) resolve(message);
            });
            worker.once("error", reject);
          });
        }),
      );
      await Promise.all(ready);
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
      assertPartition(all, await claims);
      const [log] = await store.listDeliveries((await store.listWebhooks())[0].id, 1);
      assert.equal(log.attempts, 1);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("postgres only", { skip: postgresSkip }, () => {
    const withTwoNodes = twoNodesOnOneSchema();

    it("two nodes' pools on one schema never claim the same row", async () => {
      await withTwoNodes(async (nodes) => {
        const all = await fill(nodes[0]);
        const claimer = async (store: Store) => {
          const claimed: string[] = [];
          for (;;) {
            const webhooks = (await store.listWebhooks()).map((w) => ({
              webhookId: w.id,
              limit: 2,
            }));
            const batch = await store.claimDeliveries({
              token: randomUUID(),
              now: 10_000,
              leaseMs: 60_000,
              webhooks,
            });
            if (batch.length === 0) return claimed;
            for (const delivery of batch) claimed.push(delivery.id);
          }
        };
        const claims = await Promise.all([...nodes, ...nodes, ...nodes].map(claimer));
        assertPartition(all, claims);
      });
    });

    it("two nodes fanning out at once create each delivery exactly once, ten times over", async () => {
      await withTwoNodes(async (nodes) => {
        for (const webhook of await nodes[0].listWebhooks())
          await nodes[0].deleteWebhook(webhook.id);
        const hooks = [];
        for (let i = 0; i < 5; i++)
          hooks.push(
            await nodes[0].createWebhook(
              {
                url: `http://h${i}.test/`,
                secret: "0123456789abcdef",
                topicId: null,
                createdBy: 1,
              },
              1,
              100,
            ),
          );
        for (let round = 0; round < 10; round++) {
          const sets = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              logged(
                nodes[i % 2],
                Array.from({ length: 7 }, (_, j) => event(j + 2, [])),
              ),
            ),
          );
          for (const [i, events] of sets.entries()) await nodes[i % 2].enqueueChanges(events, 5);
          const fanner = async (store: Store) => {
            while (await store.fanOut(3)); // 3 rows a step: each entry takes five steps
          };
          await Promise.all([
            fanner(nodes[0]),
            fanner(nodes[1]),
            fanner(nodes[0]),
            fanner(nodes[1]),
          ]);
          // A node that lost the lock stops early: finish what is left.
          while (await nodes[0].fanOut(3));
          const versions = new Set(sets.flat().map((e) => e.Version));
          for (const hook of hooks) {
            const log = await nodes[1].listDeliveries(hook?.id ?? 0, 1000);
            const versionOf = (d: Delivery) => (d.event as PresenceEvent).Version;
            const mine = log.filter((d) => versions.has(versionOf(d)));
            assert.equal(mine.length, versions.size, `round ${round}: one delivery per change`);
            assert.equal(new Set(mine.map(versionOf)).size, versions.size);
          }
        }
      });
    });
  });
});
