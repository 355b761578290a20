/**
 * A worker thread for test/store/webhook-claims.test.ts: claims from a shared SQLite file until
 * it is empty.
 */
import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";

const { path, now, limit, start } = workerData as {
  path: string;
  now: number;
  limit: number;
  /** All workers wait on this until every one is ready, so they really claim at once. */
  start: Int32Array;
};
const store = openSqliteStore({ path });
parentPort?.postMessage("ready");
Atomics.wait(start, 0, 0);
const claimed: string[] = [];
for (let empty = 0; empty < 3; ) {
  const webhooks = (await store.listWebhooks()).map((w) => ({ webhookId: w.id, limit }));
  const batch = await store.claimDeliveries({
    token: randomUUID(),
    now,
    leaseMs: 60_000,
    webhooks,
  });
  if (batch.length === 0) empty++;
  for (const delivery of batch) claimed.push(delivery.id);
  // A real worker sends between claims; pausing lets the other threads in as it would.
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await store.close();
parentPort?.postMessage(claimed);
