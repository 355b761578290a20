/**
 * The store's part for webhooks: registrations and the delivery outbox. The outbox is what
 * makes a webhook fire once per change for the whole cluster: the node that made a change
 * writes one outbox entry for the whole change set (whatever the number of webhooks), a
 * delivery worker fans it out into one delivery per matching webhook and change, and any
 * node's worker claims due deliveries with a lease, so a delivery is sent by one worker at a
 * time and retried by another if that one dies.
 */

import type { PresenceEvent } from "../domain/presence.ts";
import type { RoutingEvent } from "../domain/routing-event.ts";
import type {
  Delivery,
  NewWebhook,
  Webhook,
  WebhookEvent,
  WebhookEventType,
} from "../domain/webhook.ts";

/** A delivery a worker has claimed: what to send, where, and the token that proves the claim. */
export interface ClaimedDelivery {
  id: string;
  webhookId: number;
  /** The webhook's URL and secret as registered, read with the claim. */
  url: string;
  secret: string;
  event: WebhookEvent;
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
  /** How many deliveries to claim from each webhook, at most. */
  webhooks: readonly { webhookId: number; limit: number }[];
}

/** A webhook that has deliveries to send now (and is not resting after failures). */
export interface DueWebhook {
  webhookId: number;
  /** Due deliveries, counted up to the limit asked for. */
  due: number;
  /** The last attempt failed: the receiver gets one probe at a time until one succeeds. */
  failing: boolean;
}

/** How long a failing receiver rests: base × 2^(consecutive failures − 1), at most max. */
export interface ReceiverBackoff {
  baseMs: number;
  maxMs: number;
  /** 0.75–1, so receivers that failed together are not retried in lockstep. */
  jitter: number;
}

export interface DeliveryOutcome {
  at: number;
  /** HTTP status of the receiver's answer, null when there was none (timeout, refused). */
  statusCode: number | null;
  error: string | null;
  delivered: boolean;
  /** When to try again; null with delivered=false marks the delivery failed for good. */
  nextAttemptAt: number | null;
  /** A failure also rests the whole webhook this long; a success ends its failing state. */
  backoff: ReceiverBackoff;
}

/** Webhooks, the outbox and its fan-out into deliveries (each backend's webhooks.ts). */
export interface WebhookOutboxStore {
  /**
   * Registers a webhook unless `limit` webhooks exist already (then null). Decided atomically:
   * concurrent registrations, from any node, never exceed the limit.
   */
  createWebhook(webhook: NewWebhook, now: number, limit: number): Promise<Webhook | null>;
  listWebhooks(): Promise<Webhook[]>;
  getWebhook(id: number): Promise<Webhook | null>;
  /** Sets what a webhook is sent from the next fan-out on; null when there is no such webhook. */
  setWebhookEventTypes(id: number, types: readonly WebhookEventType[]): Promise<Webhook | null>;
  /** Deletes a webhook with its deliveries and log; false when there was none. */
  deleteWebhook(id: number): Promise<boolean>;

  /**
   * Writes the change set as one outbox entry (when any webhook exists), in one statement
   * whatever the number of webhooks. Returns whether an entry was written.
   */
  enqueueChanges(events: readonly PresenceEvent[], now: number): Promise<boolean>;
  /**
   * The same for routing events (already in the routing event log): one outbox entry, fanned
   * out to the webhooks whose EventTypes include routing and whose topic, if any, is the event's.
   */
  enqueueRoutingEvents(events: readonly RoutingEvent[], now: number): Promise<boolean>;
  /**
   * One step of fan-out: turns the oldest outbox entry into pending deliveries (a random UUID
   * id each, due at once) for up to about `rowBudget` (event, webhook) pairs, and drops the
   * entry once every webhook registered before it has had its turn. A presence change goes to
   * webhooks whose EventTypes include presence: without a topic, every change; with one, the
   * changes whose ChatTopics or Previous.ChatTopics contain it. A routing event goes to those
   * with routing, without a topic or with the event's. One step at a time for the whole cluster. False when there was nothing to do.
   */
  fanOut(rowBudget: number): Promise<boolean>;
}

/** Claiming deliveries, recording their outcomes, their log (each backend's webhook-deliveries.ts). */
export interface WebhookDeliveryStore {
  /** The webhooks with deliveries due now, by id; resting webhooks are left out. */
  dueWebhooks(now: number, limit: number): Promise<DueWebhook[]>;
  /**
   * Atomically claims, per webhook, up to its limit of pending deliveries that are due and not
   * claimed by anyone else (or whose claim lapsed), lowest Version first, counting an attempt
   * on each. Two claims, from any number of workers or nodes, never return the same row while
   * its lease holds.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]>;
  /**
   * Records the outcome of a claimed attempt, releases the claim and updates the webhook's
   * failing state. False (nothing written) when the claim is no longer held with this token:
   * it lapsed and was taken over, or the webhook was deleted.
   */
  recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** A webhook's delivery log, newest first. */
  listDeliveries(webhookId: number, limit: number): Promise<Delivery[]>;
  /** Deletes delivered and failed deliveries created before `before` (ms); returns how many. */
  purgeDeliveries(before: number): Promise<number>;
}

export interface WebhookStore extends WebhookOutboxStore, WebhookDeliveryStore {}
