/**
 * The store's part for webhooks: registrations and the delivery outbox. The outbox is what
 * makes a webhook fire once per change for the whole cluster: the node that made a change
 * enqueues one row per (matching webhook, change), and any node's worker claims due rows with a
 * lease, so a row is sent by one worker at a time and retried by another if that one dies.
 */

import type { PresenceEvent } from "../domain/presence.ts";
import type { Delivery, NewWebhook, Webhook } from "../domain/webhook.ts";

/** A delivery a worker has claimed: what to send, where, and the token that proves the claim. */
export interface ClaimedDelivery {
  id: string;
  webhookId: number;
  /** The webhook's URL and secret as registered, read with the claim. */
  url: string;
  secret: string;
  event: PresenceEvent;
  /** Attempts including this one. */
  attempts: number;
  claimToken: string;
}

export interface DeliveryClaim {
  /** A fresh random token identifying this claim; outcomes must present it. */
  token: string;
  now: number;
  /** The claim lapses at now + leaseMs, after which another worker may take the row. */
  leaseMs: number;
  limit: number;
}

export interface DeliveryOutcome {
  at: number;
  /** HTTP status of the receiver's answer, null when there was none (timeout, refused). */
  statusCode: number | null;
  error: string | null;
  delivered: boolean;
  /** When to try again; null with delivered=false marks the delivery failed for good. */
  nextAttemptAt: number | null;
}

export interface WebhookStore {
  createWebhook(webhook: NewWebhook, now: number): Promise<Webhook>;
  listWebhooks(): Promise<Webhook[]>;
  getWebhook(id: number): Promise<Webhook | null>;
  /** Deletes a webhook with its outbox rows and log; false when there was none. */
  deleteWebhook(id: number): Promise<boolean>;

  /**
   * Enqueues, in one statement, a pending delivery (with a random UUID id, due at `now`) for
   * every pair of event and webhook it matches: a webhook without a topic matches every event,
   * one with a topic the events whose ChatTopics or Previous.ChatTopics contain it. Returns how
   * many rows were enqueued.
   */
  enqueueDeliveries(events: readonly PresenceEvent[], now: number): Promise<number>;
  /**
   * Atomically claims up to `limit` pending deliveries that are due and not claimed by anyone
   * else (or whose claim lapsed), oldest due first, counting an attempt on each. Two claims,
   * from any number of workers or nodes, never return the same row while its lease holds.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]>;
  /**
   * Records the outcome of a claimed attempt and releases the claim. False (nothing written)
   * when the claim is no longer held with this token: it lapsed and was taken over, or the
   * webhook was deleted.
   */
  recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** A webhook's delivery log, newest first. */
  listDeliveries(webhookId: number, limit: number): Promise<Delivery[]>;
  /** Deletes delivered and failed deliveries created before `before` (ms); returns how many. */
  purgeDeliveries(before: number): Promise<number>;
}
