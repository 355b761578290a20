/**
 * Webhooks (an extension beyond SuperOffice): registration for admins, and the outbox side of
 * delivery. `enqueue` is called by PresenceService on the node where a change was made, so
 * each change set is enqueued once for the whole cluster, as one outbox entry whatever the
 * number of webhooks; the WebhookWorker fans it out and sends it later.
 */
import { PresenceError } from "../domain/errors.ts";
import type { Actor, PresenceEvent } from "../domain/presence.ts";
import type { RoutingEvent } from "../domain/routing-event.ts";
import {
  type Delivery,
  validateEventTypes,
  validateWebhook,
  type Webhook,
} from "../domain/webhook.ts";
import { PUBLIC_ONLY, type TargetPolicy, targetRefusal } from "../domain/webhook-target.ts";
import type { WebhookStore } from "../store/webhooks.ts";

export interface WebhookInput {
  url: string | null;
  secret: string | null;
  /** 0 for every topic. */
  topicId: number;
  /** Null or absent: presence only. */
  eventTypes?: readonly (string | null)[] | null;
}

export const DELIVERY_LOG_LIMIT = 1000;

export interface WebhookServiceOptions {
  /** The most webhooks that may be registered (for the whole cluster). */
  limit: number;
  /** Which addresses webhooks may point at. */
  targets: TargetPolicy;
}

export const DEFAULT_WEBHOOK_SERVICE_OPTIONS: WebhookServiceOptions = {
  limit: 100,
  targets: PUBLIC_ONLY,
};

/**
 * Refuses a URL whose host is an address deliveries may not reach. Host names are checked
 * again on every delivery, on the address actually connected to.
 */
export function assertTargetAllowed(url: string, targets: TargetPolicy): void {
  const host = new URL(url).hostname;
  const refusal = targetRefusal(host, targets);
  if (refusal !== null && refusal !== "not an IP address") {
    throw new PresenceError("PRES_ERR_BAD_WEBHOOK", {
      field: "Url",
      detail: `${host} is ${refusal}; receivers on private networks need the server option --webhook-allow-private or --webhook-allow`,
    });
  }
}

function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin") {
    throw new PresenceError("PRES_ERR_FORBIDDEN", { detail: "webhooks are for administrators" });
  }
}

export class WebhookService {
  private readonly enqueuedListeners = new Set<() => void>();
  /** Where enqueue failures go (they never reach the save); the server points it at its log. */
  onError: (error: unknown) => void = (error) =>
    console.error("webhook deliveries could not be enqueued:", error);

  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookServiceOptions = DEFAULT_WEBHOOK_SERVICE_OPTIONS,
  ) {}

  async register(actor: Actor, input: WebhookInput): Promise<Webhook> {
    assertAdmin(actor);
    const valid = validateWebhook(input);
    assertTargetAllowed(valid.url, this.options.targets);
    const { limit } = this.options;
    const created = await this.store.createWebhook(
      { ...valid, createdBy: actor.userId },
      Date.now(),
      limit,
    );
    if (!created) throw new PresenceError("PRES_ERR_WEBHOOK_LIMIT", { limit });
    return created;
  }

  async list(actor: Actor): Promise<Webhook[]> {
    assertAdmin(actor);
    return this.store.listWebhooks();
  }

  async get(actor: Actor, id: number): Promise<Webhook> {
    assertAdmin(actor);
    const webhook = await this.store.getWebhook(id);
    if (!webhook) throw new PresenceError("PRES_ERR_NO_WEBHOOK", { webhookId: id });
    return webhook;
  }

  /** Replaces what the webhook is sent (checked as on registration); events fanned out later follow it. */
  async setEventTypes(
    actor: Actor,
    id: number,
    types: readonly (string | null)[] | null,
  ): Promise<Webhook> {
    assertAdmin(actor);
    const updated = await this.store.setWebhookEventTypes(id, validateEventTypes(types));
    if (!updated) throw new PresenceError("PRES_ERR_NO_WEBHOOK", { webhookId: id });
    return updated;
  }

  async remove(actor: Actor, id: number): Promise<void> {
    assertAdmin(actor);
    if (!(await this.store.deleteWebhook(id)))
      throw new PresenceError("PRES_ERR_NO_WEBHOOK", { webhookId: id });
  }

  /** The delivery log, newest first. */
  async deliveries(actor: Actor, id: number, limit = 100): Promise<Delivery[]> {
    await this.get(actor, id);
    return this.store.listDeliveries(id, Math.min(Math.max(limit, 1), DELIVERY_LOG_LIMIT));
  }

  /**
   * Enqueues the change set as one outbox entry, unless the save that made it already decided
   * that in its own transaction (`enqueued`). Never throws: a failure is reported to `onError`
   * and the change that was made stands.
   */
  async enqueue(events: readonly PresenceEvent[], enqueued?: boolean): Promise<void> {
    await this.enqueueWith(
      events,
      async (now) => enqueued ?? this.store.enqueueChanges(events, now),
    );
  }

  /** The same for routing events, recorded on this node (so once per cluster). */
  async enqueueRouting(events: readonly RoutingEvent[]): Promise<void> {
    await this.enqueueWith(events, (now) => this.store.enqueueRoutingEvents(events, now));
  }

  private async enqueueWith(
    events: readonly unknown[],
    write: (now: number) => Promise<boolean>,
  ): Promise<void> {
    if (events.length === 0) return;
    try {
      const enqueued = await write(Date.now());
      if (enqueued) for (const listener of this.enqueuedListeners) listener();
    } catch (error) {
      try {
        this.onError(error);
      } catch {
        // A broken logger must not fail the save either.
      }
    }
  }

  /** Called after deliveries were enqueued on this node (the local worker wakes up). */
  onEnqueued(listener: () => void): () => void {
    this.enqueuedListeners.add(listener);
    return () => this.enqueuedListeners.delete(listener);
  }
}
