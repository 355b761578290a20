/**
 * The webhook delivery worker. Every node runs one; they share the store's outbox, so each
 * delivery is sent by whichever worker claims it first (a conditional UPDATE with a lease).
 * Sends run in the background with a cap on how many are in flight, so one slow receiver never
 * holds up the others, and nothing here is ever awaited by a save.
 */
import { randomUUID } from "node:crypto";
import {
  deliveryBody,
  nextAttemptAt,
  type RetryPolicy,
  signature,
  WEBHOOK_EVENT,
} from "../domain/webhook.ts";
import type { ClaimedDelivery, DeliveryOutcome, WebhookStore } from "../store/webhooks.ts";

export interface WebhookWorkerOptions extends RetryPolicy {
  /** How often to look for due deliveries (a local enqueue wakes the worker at once). */
  pollIntervalMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** How long a claim holds; past it another worker may retry the row. Must exceed timeoutMs. */
  leaseMs: number;
  /** Sends in flight at once on this node. */
  concurrency: number;
  /** Delivered and failed rows are kept this long (the delivery log); null keeps them. */
  retentionMs: number | null;
  userAgent: string;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookWorkerOptions = {
  pollIntervalMs: 1000,
  timeoutMs: 5000,
  leaseMs: 60_000,
  concurrency: 16,
  maxAttempts: 8,
  // 10 s, 20 s, 40 s … 21 min: the eighth and last attempt comes ~42 min after the first.
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  retentionMs: 7 * 86_400_000,
  userAgent: "chat-presence-webhooks",
};

export interface WebhookLog {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

const PURGE_INTERVAL_MS = 3_600_000;
const MAX_ERROR_LENGTH = 500;

/** A short, secret-free description of why a request failed. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (e?.name === "AbortError") return "aborted: the server is shutting down";
  const cause = e?.cause?.code ?? e?.cause?.message;
  const text = cause ? `${e?.message ?? "request failed"}: ${cause}` : String(e?.message ?? error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

export class WebhookWorker {
  readonly options: WebhookWorkerOptions;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
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

  /** Stops claiming, aborts the sends in flight (they are recorded and retried later), waits. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.shutdown.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.claimAndSend();
        await this.purge();
      } catch (error) {
        this.log.error({ err: error }, "webhook worker: claiming deliveries failed");
      }
      if (this.running) await this.sleep();
    }
  }

  /** Claims as many due deliveries as there is room for and starts sending them. */
  private async claimAndSend(): Promise<void> {
    while (this.running) {
      const room = this.options.concurrency - this.inFlight.size;
      if (room <= 0) return;
      const claimed = await this.store.claimDeliveries({
        token: randomUUID(),
        now: Date.now(),
        leaseMs: this.options.leaseMs,
        limit: room,
      });
      for (const delivery of claimed) {
        const sending: Promise<void> = this.send(delivery)
          .catch((error) =>
            this.log.error(
              { err: error, webhookId: delivery.webhookId, deliveryId: delivery.id },
              "webhook worker: recording a delivery failed",
            ),
          )
          .finally(() => {
            this.inFlight.delete(sending);
            this.kick();
          });
        this.inFlight.add(sending);
      }
      if (claimed.length < room) return;
    }
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
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": this.options.userAgent,
          "x-chatpresence-delivery": delivery.id,
          "x-chatpresence-event": WEBHOOK_EVENT,
          "x-chatpresence-signature": signature(delivery.secret, body),
          "x-chatpresence-timestamp": String(Math.floor(Date.now() / 1000)),
        },
        body,
        // Only the registered URL is ever called: a redirect is an answer, not a new target.
        redirect: "manual",
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.timeoutMs),
          this.shutdown.signal,
        ]),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode > 299) error = `the receiver answered ${statusCode}`;
    } catch (failure) {
      error = describeFailure(failure, this.options.timeoutMs);
    }
    const at = Date.now();
    const delivered = error === null;
    const outcome: DeliveryOutcome = {
      at,
      statusCode,
      error,
      delivered,
      nextAttemptAt: delivered ? null : nextAttemptAt(this.options, delivery.attempts, at),
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
