/**
 * Webhooks (an extension beyond SuperOffice): the rules for registering one, signing a
 * delivery and spacing out retries. Pure, no I/O.
 */
import { createHmac } from "node:crypto";
import { PresenceError } from "./errors.ts";
import type { PresenceEvent } from "./presence.ts";
import type { RoutingEventWire } from "./routing-event.ts";

/** A registered webhook. The secret is kept to sign deliveries and is never shown again. */
export interface Webhook {
  id: number;
  url: string;
  secret: string;
  /** Only changes of users in this topic (before or after the change); null for all. */
  topicId: number | null;
  /** What it is sent: presence changes, routing events, or both. */
  eventTypes: WebhookEventType[];
  createdAt: number;
  createdBy: number | null;
  health: WebhookHealth;
}

/** A receiver's state: healthy (all null, 0) or failing since its first failure in a row. */
export interface WebhookHealth {
  /** When the first of the current run of failures happened; null while healthy. */
  failingSince: number | null;
  /** While failing: when the receiver is tried again; null while healthy. */
  nextAttemptAt: number | null;
  /** Why the last attempt failed; null while healthy. */
  lastError: string | null;
  consecutiveFailures: number;
}

export interface NewWebhook {
  url: string;
  secret: string;
  topicId: number | null;
  /** Absent: presence only. */
  eventTypes?: readonly WebhookEventType[];
  createdBy: number | null;
}

/** The kinds of event a webhook may be sent; a webhook registered without any gets presence. */
export const WEBHOOK_EVENT_TYPES = ["presence", "routing"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const DEFAULT_WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = ["presence"];

/** What a delivery carries: a presence change, or a routing event as the routing stream sends it. */
export type WebhookEvent = PresenceEvent | RoutingEventWire;

export function isRoutingEvent(event: WebhookEvent): event is RoutingEventWire {
  return "Type" in event && !("Version" in event);
}

/** The X-ChatPresence-Event of a delivery: presence.changed, or routing.<Type>. */
export function webhookEventName(event: WebhookEvent): string {
  return isRoutingEvent(event) ? `routing.${event.Type}` : WEBHOOK_EVENT;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One entry of a webhook's delivery log. */
export interface Delivery {
  id: string;
  webhookId: number;
  event: WebhookEvent;
  status: DeliveryStatus;
  /** Attempts started so far (an attempt is counted when it is claimed). */
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: number | null;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  createdAt: number;
}

export const WEBHOOK_EVENT = "presence.changed";
export const SECRET_MIN_LENGTH = 16;
export const SECRET_MAX_LENGTH = 512;
export const URL_MAX_LENGTH = 2048;

function invalid(field: string, detail: string): PresenceError {
  return new PresenceError("PRES_ERR_BAD_WEBHOOK", { field, detail });
}

/** Checks a registration; throws PRES_ERR_BAD_WEBHOOK naming the field. */
export function validateWebhook(input: {
  url: string | null;
  secret: string | null;
  topicId: number;
  eventTypes?: readonly (string | null)[] | null;
}): { url: string; secret: string; topicId: number | null; eventTypes: WebhookEventType[] } {
  const text = input.url?.trim() ?? "";
  if (text === "") throw invalid("Url", "it is required");
  if (text.length > URL_MAX_LENGTH) throw invalid("Url", `it is longer than ${URL_MAX_LENGTH}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("Url", "it is not an absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw invalid("Url", "only http and https URLs are allowed");
  if (url.hostname === "") throw invalid("Url", "it has no host");
  if (url.username !== "" || url.password !== "")
    throw invalid("Url", "user names and passwords in the URL are not allowed; use the Secret");
  const secret = input.secret ?? "";
  if (secret.length < SECRET_MIN_LENGTH)
    throw invalid(
      "Secret",
      `it is required and must have at least ${SECRET_MIN_LENGTH} characters`,
    );
  if (secret.length > SECRET_MAX_LENGTH)
    throw invalid("Secret", `it is longer than ${SECRET_MAX_LENGTH} characters`);
  if (input.topicId < 0) throw invalid("TopicId", "it must be a topic id, or 0 for every topic");
  const eventTypes = validateEventTypes(input.eventTypes);
  return { url: url.href, secret, topicId: input.topicId === 0 ? null : input.topicId, eventTypes };
}

/** Absent or null: presence only, as before EventTypes existed. Empty or unknown: refused. */
export function validateEventTypes(
  types: readonly (string | null)[] | null | undefined,
): WebhookEventType[] {
  if (types === null || types === undefined) return [...DEFAULT_WEBHOOK_EVENT_TYPES];
  const known = WEBHOOK_EVENT_TYPES.join(", ");
  if (types.length === 0) throw invalid("EventTypes", `it must name at least one of ${known}`);
  for (const type of types)
    if (!WEBHOOK_EVENT_TYPES.includes(type as WebhookEventType))
      throw invalid("EventTypes", `${JSON.stringify(type)} is not one of ${known}`);
  // In the list's own order, each once.
  return WEBHOOK_EVENT_TYPES.filter((type) => types.includes(type));
}

/** The value of X-ChatPresence-Signature: `sha256=` and the hex HMAC-SHA256 of the raw body. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The event with its fields in the stream's order (a store may have reordered the keys). */
export function canonicalEvent(event: PresenceEvent): PresenceEvent {
  const { Previous } = event;
  return {
    UserId: event.UserId,
    Present: event.Present,
    OngoingChats: event.OngoingChats,
    ChatTopics: event.ChatTopics,
    Previous: Previous
      ? {
          Present: Previous.Present,
          OngoingChats: Previous.OngoingChats,
          ChatTopics: Previous.ChatTopics,
        }
      : null,
    Version: event.Version,
    At: event.At,
    Source: event.Source,
    ChangedBy: event.ChangedBy,
  };
}

/** The JSON body of a delivery: the event as the SSE stream sends it, plus its DeliveryId. */
export function deliveryBody(event: WebhookEvent, deliveryId: string): string {
  return JSON.stringify({ ...event, DeliveryId: deliveryId });
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay after the first failure; it doubles with each further one. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * When to try again after the `attempts`-th attempt failed, or null when that was the last.
 * Exponential backoff with jitter (75–100 % of the step), so failed receivers are not hit in
 * lockstep when they come back.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  now: number,
  random = Math.random,
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const step = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return now + Math.round(step * (0.75 + 0.25 * random()));
}
