/**
 * The webhook delivery worker. Every node runs one; they share the store's outbox. Each round
 * it fans out new change sets into deliveries (a bounded step at a time, so a big change set
 * never holds the event loop), then claims due deliveries in fair turns between webhooks (see
 * webhook-turns.ts) and sends them in the background. A claim is a conditional UPDATE with a
 * lease, so each delivery is sent by whichever worker claims it first; nothing here is ever
 * awaited by a save.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as yieldToRequests } from "node:timers/promises";
import {
  deliveryBody,
  nextAttemptAt,
  type RetryPolicy,
  signature,
  webhookEventName,
} from "../domain/webhook.ts";
import { PUBLIC_ONLY, type TargetPolicy } from "../domain/webhook-target.ts";
import type { ClaimedDelivery, DeliveryOutcome, WebhookStore } from "../store/webhooks.ts";
import { AttemptFailure, attempt } from "./webhook-sender.ts";
import { planTurns } from "./webhook-turns.ts";

export interface WebhookWorkerOptions extends RetryPolicy {
  /** How often to look for due deliveries (a local enqueue wakes the worker at once). */
  pollIntervalMs: number;
  /** The whole attempt (connect, send, the complete answer) ends within this. */
  timeoutMs: number;
  /** How long a claim holds; past it another worker may retry the row. Must exceed timeoutMs. */
  leaseMs: number;
  /** Sends in flight at once on this node beyond each webhook's first (the shared pool). */
  concurrency: number;
  /** Sends in flight at once per webhook on this node. */
  perWebhookConcurrency: number;
  /** About this many deliveries are created per fan-out step. */
  fanOutRows: number;
  /** Delivered and failed rows are kept this long (the delivery log); null keeps them. */
  retentionMs: number | null;
  /** Which addresses deliveries may connect to. */
  targets: TargetPolicy;
  userAgent: string;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookWorkerOptions = {
  pollIntervalMs: 1000,
  timeoutMs: 5000,
  leaseMs: 60_000,
  concurrency: 16,
  perWebhookConcurrency: 4,
  fanOutRows: 1000,
  maxAttempts: 8,
  // 10 s, 20 s, 40 s … 21 min: the eighth and last attempt comes ~42 min after the first.
  // A failing receiver rests on the same steps (at most 1 h) between probes.
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  retentionMs: 7 * 86_400_000,
  targets: PUBLIC_ONLY,
  userAgent: "chat-presence-webhooks",
};

export interface WebhookLog {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

const PURGE_INTERVAL_MS = 3_600_000;
/** Fan-out steps per round; more waits for the next round, so claims are not held up. */
const FAN_OUT_STEPS_PER_ROUND = 20;

export class WebhookWorker {
  readonly options: WebhookWorkerOptions;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly sending = new Set<Promise<void>>();
  /** Sends in flight on this node, per webhook. */
  private readonly inFlight = new Map<number, number>();
  /** The webhook served last: the next round's turns start after it. */
  private lastServed = 0;
  private readonly shutdown = new AbortController();
  private wake: (() => void) | null = null;
  private kicked = false;
  private lastPurge = 0;
  /** Counters since start, for metrics and tests. */
  readonly stats = { delivered: 0, retried: 0, failed: 0 };

  constructor(
    private readonly store: WebhookStore,
    options: Partial<WebhookWorkerOptions> = {},
    private readonly log: WebhookLog = { warn() {}, error() {} },
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
    if (options.leaseMs === undefined)
      this.options.leaseMs = Math.max(this.options.leaseMs, this.options.timeoutMs * 2 + 10_000);
    if (this.options.leaseMs <= this.options.timeoutMs)
      throw new Error("webhook leaseMs must be longer than timeoutMs");
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops claiming, aborts the sends in flight (their leases lapse; they are retried), waits. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.shutdown.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.sending]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.fanOut();
        await this.claimAndSend();
        await this.purge();
      } catch (error) {
        this.log.error({ err: error }, "webhook worker: fan-out or claim failed");
      }
      if (this.running) await this.sleep();
    }
  }

  /** Turns new change sets into deliveries, a bounded step at a time. */
  private async fanOut(): Promise<void> {
    for (let step = 0; step < FAN_OUT_STEPS_PER_ROUND; step++) {
      if (!this.running || !(await this.store.fanOut(this.options.fanOutRows))) return;
      await yieldToRequests();
    }
    this.kick(); // More to fan out: go on after this round's sends have started.
  }

  /** Claims what the fair turns allow and starts sending it. */
  private async claimAndSend(): Promise<void> {
    const now = Date.now();
    const due = await this.store.dueWebhooks(now, this.options.perWebhookConcurrency);
    if (due.length === 0) return;
    const turns = planTurns(
      due,
      this.inFlight,
      { perWebhook: this.options.perWebhookConcurrency, sharedPool: this.options.concurrency },
      this.lastServed,
    );
    if (turns.plan.length === 0) return;
    this.lastServed = turns.last;
    const claimed = await this.store.claimDeliveries({
      token: randomUUID(),
      now,
      leaseMs: this.options.leaseMs,
      webhooks: turns.plan,
    });
    for (const delivery of claimed) this.startSending(delivery);
  }

  private startSending(delivery: ClaimedDelivery): void {
    const { webhookId } = delivery;
    this.inFlight.set(webhookId, (this.inFlight.get(webhookId) ?? 0) + 1);
    const sending: Promise<void> = this.send(delivery)
      .catch((error) =>
        this.log.error(
          { err: error, webhookId, deliveryId: delivery.id },
          "webhook worker: recording a delivery failed",
        ),
      )
      .finally(() => {
        const left = (this.inFlight.get(webhookId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(webhookId, left);
        else this.inFlight.delete(webhookId);
        this.sending.delete(sending);
        this.kick();
      });
    this.sending.add(sending);
  }

  private sleep(): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      timer.unref();
      this.wake = done;
    });
  }

  private async purge(): Promise<void> {
    const now = Date.now();
    if (this.options.retentionMs === null || now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    await this.store.purgeDeliveries(now - this.options.retentionMs);
  }

  /** One attempt: POST, then record the outcome under the claim. */
  private async send(delivery: ClaimedDelivery): Promise<void> {
    const body = deliveryBody(delivery.event, delivery.id);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await attempt({
        url: delivery.url,
        headers: {
          "content-type": "application/json",
          "user-agent": this.options.userAgent,
          "x-chatpresence-delivery": delivery.id,
          "x-chatpresence-event": webhookEventName(delivery.event),
          "x-chatpresence-signature": signature(delivery.secret, body),
          "x-chatpresence-timestamp": String(Math.floor(Date.now() / 1000)),
        },
        body,
        timeoutMs: this.options.timeoutMs,
        targets: this.options.targets,
        signal: this.shutdown.signal,
      });
      // Only the registered URL is ever called: a redirect is an answer, not a new target.
      if (statusCode < 200 || statusCode > 299) error = `the receiver answered ${statusCode}`;
    } catch (failure) {
      // Shutting down is not the receiver's fault: the lease lapses and another worker retries.
      if (failure instanceof AttemptFailure && failure.shutdown) return;
      error = failure instanceof Error ? failure.message : String(failure);
    }
    await this.record(delivery, statusCode, error);
  }

  private async record(
    delivery: ClaimedDelivery,
    statusCode: number | null,
    error: string | null,
  ): Promise<void> {
    const at = Date.now();
    const delivered = error === null;
    const outcome: DeliveryOutcome = {
      at,
      statusCode,
      error,
      delivered,
      nextAttemptAt: delivered ? null : nextAttemptAt(this.options, delivery.attempts, at),
      backoff: {
        baseMs: this.options.retryBaseMs,
        maxMs: this.options.retryMaxMs,
        jitter: 0.75 + 0.25 * Math.random(),
      },
    };
    const recorded = await this.store.recordDelivery(delivery.id, delivery.claimToken, outcome);
    if (!recorded) return; // The webhook was deleted, or the lease lapsed and another worker has it.
    if (delivered) {
      this.stats.delivered++;
      return;
    }
    // The URL is left out: it may carry a token of the receiver's in its query string.
    const details = {
      webhookId: delivery.webhookId,
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      statusCode,
      error,
    };
    if (outcome.nextAttemptAt === null) {
      this.stats.failed++;
      this.log.error(details, "webhook delivery failed for good");
    } else {
      this.stats.retried++;
      this.log.warn(details, "webhook delivery failed; it will be retried");
    }
  }
}
