/** Webhook fixtures for the store contract: a registration, claims and delivery outcomes. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { beforeEach } from "node:test";
import type { Store } from "../../src/store/store.ts";
import type { DeliveryOutcome } from "../../src/store/webhooks.ts";

export const SECRET = "0123456789abcdef-secret";

export const BACKOFF = { baseMs: 1000, maxMs: 8000, jitter: 1 };

export function retry(at: number, nextAttemptAt: number | null): DeliveryOutcome {
  return {
    at,
    statusCode: 500,
    error: "the receiver answered 500",
    delivered: false,
    nextAttemptAt,
    backoff: BACKOFF,
  };
}

export function success(at: number, statusCode = 200): DeliveryOutcome {
  return { at, statusCode, error: null, delivered: true, nextAttemptAt: null, backoff: BACKOFF };
}

/** A receiver with no failures to rest from. */
export const HEALTHY = {
  failingSince: null,
  nextAttemptAt: null,
  lastError: null,
  consecutiveFailures: 0,
};

/** Claims up to `limit` deliveries from every webhook. */
export async function claimAll(store: Store, now: number, limit = 100, leaseMs = 1000) {
  const webhooks = (await store.listWebhooks()).map((w) => ({ webhookId: w.id, limit }));
  return store.claimDeliveries({ token: randomUUID(), now, leaseMs, webhooks });
}

/** Registers a webhook (for one topic, or every change) under a limit of 100. */
export async function registerWebhook(
  store: Store,
  topicId: number | null = null,
  createdAt = 5000,
) {
  const webhook = await store.createWebhook(
    { url: "https://example.test/hook?x=1", secret: SECRET, topicId, createdBy: 1 },
    createdAt,
    100,
  );
  assert.ok(webhook);
  return webhook;
}

/** Deletes every webhook, so each test starts with none. */
export async function deleteAllWebhooks(store: Store): Promise<void> {
  for (const webhook of await store.listWebhooks()) await store.deleteWebhook(webhook.id);
}

/** A webhook suite's fixtures bound to its store; each test starts with no webhook. */
export function webhookFixtures(store: Store) {
  beforeEach(() => deleteAllWebhooks(store));
  return {
    claim: (now: number, limit?: number, leaseMs?: number) => claimAll(store, now, limit, leaseMs),
    hook: (topicId?: number | null, createdAt?: number) =>
      registerWebhook(store, topicId, createdAt),
  };
}
