/** The webhooks and webhook_deliveries rows of both backends. */
import { canonicalRoutingWire, routingEventWire } from "../../domain/routing-event.ts";
import {
  canonicalEvent,
  type Delivery,
  type DeliveryStatus,
  isRoutingEvent,
  type Webhook,
  type WebhookEvent,
  type WebhookEventType,
} from "../../domain/webhook.ts";
import type { ClaimedDelivery, DeliveryOutcome, DueWebhook } from "../webhooks.ts";
import { type Flag, flag, type Json } from "./dialect.ts";
import { type HistoryRow, toEvent } from "./history.ts";
import { type RoutingEventRow, toRoutingEvent } from "./routing-events.ts";

export interface WebhookRow {
  id: number;
  url: string;
  secret: string;
  topic_id: number | null;
  /** Comma-separated: "presence", "routing" or "presence,routing". */
  event_types: string;
  created_at: number;
  created_by: number | null;
  failures: number;
  failing_since: number | null;
  paused_until: number | null;
  last_error: string | null;
}

export interface DueRow {
  webhook_id: number;
  due: number;
  failing: Flag;
}

/**
 * An outbox entry being fanned out: its change set (the Versions of its history entries, as
 * ranges) and the last webhook already served.
 */
export interface OutboxRow {
  seq: number;
  /** Whose ids `versions` holds: presence history's or the routing event log's. */
  kind: WebhookEventType;
  versions: string;
  event_count: number;
  created_at: number;
  fanned_to: number;
}

/** Versions as compact ranges, "1001-2000,2005": a change set's are nearly always one run. */
export function versionRanges(versions: readonly number[]): string {
  const sorted = [...versions].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.join(",");
}

/** The Versions of an entry: the lowest, the highest, and a test for the ones in between. */
export function parseVersionRanges(text: string) {
  const runs = text.split(",").map((run) => {
    const [from, to = from] = run.split("-").map(Number);
    return [from, to] as const;
  });
  return {
    first: Math.min(...runs.map(([from]) => from)),
    last: Math.max(...runs.map(([, to]) => to)),
    has: (version: number) => runs.some(([from, to]) => version >= from && version <= to),
  };
}

/**
 * The events of an entry as one JSON array, from the history rows between its first and last
 * Version (rows of other change sets in between are left out). Events whose history was
 * purged in the meantime are gone and not delivered.
 */
export function entryEvents(entry: OutboxRow, rows: readonly HistoryRow[]): string {
  const { has } = parseVersionRanges(entry.versions);
  return JSON.stringify(
    rows.filter((row) => has(row.id)).map((row) => canonicalEvent(toEvent(row))),
  );
}

/** The routing events of an entry as one JSON array of wire events (see entryEvents). */
export function routingEntryEvents(entry: OutboxRow, rows: readonly RoutingEventRow[]): string {
  const { has } = parseVersionRanges(entry.versions);
  return JSON.stringify(
    rows.filter((row) => has(row.id)).map((row) => routingEventWire(toRoutingEvent(row))),
  );
}

/** Event types as the webhooks row keeps them; absent is presence only. */
export function eventTypesText(types: readonly WebhookEventType[] | undefined): string {
  return (types ?? ["presence"]).join(",");
}

export interface DeliveryRow {
  id: string;
  webhook_id: number;
  event: Json<WebhookEvent>;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  created_at: number;
}

/** A claimed delivery joined with its webhook's url and secret. */
export interface ClaimedRow {
  id: string;
  webhook_id: number;
  event: Json<WebhookEvent>;
  attempts: number;
  url: string;
  secret: string;
}

/**
 * A stored event. SQLite's text keeps the keys in the order they were written; PostgreSQL's
 * jsonb reorders them, so its events are put back into the stream's order.
 */
export function storedEvent(event: Json<WebhookEvent>): WebhookEvent {
  if (typeof event === "string") return JSON.parse(event);
  return isRoutingEvent(event) ? canonicalRoutingWire(event) : canonicalEvent(event);
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    secret: row.secret,
    topicId: row.topic_id,
    eventTypes: row.event_types.split(",") as WebhookEventType[],
    createdAt: row.created_at,
    createdBy: row.created_by,
    health: {
      failingSince: row.failing_since,
      nextAttemptAt: row.failing_since === null ? null : row.paused_until,
      lastError: row.last_error,
      consecutiveFailures: row.failures,
    },
  };
}

export function toDue(row: DueRow): DueWebhook {
  return { webhookId: row.webhook_id, due: Number(row.due), failing: flag(row.failing) };
}

/** Webhooks served per fan-out step: as many as fit the row budget, at least one. */
export function webhooksPerStep(entry: OutboxRow, rowBudget: number): number {
  return Math.max(1, Math.floor(rowBudget / Math.max(1, entry.event_count)));
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: storedEvent(row.event),
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
  };
}

/** The columns that recording an outcome sets: delivered, failed for good, or pending again. */
export function outcomeValues(outcome: DeliveryOutcome) {
  const status: DeliveryStatus = outcome.delivered
    ? "delivered"
    : outcome.nextAttemptAt === null
      ? "failed"
      : "pending";
  return {
    status,
    statusCode: outcome.statusCode,
    error: outcome.error,
    nextAttemptAt: outcome.delivered ? null : outcome.nextAttemptAt,
    deliveredAt: outcome.delivered ? outcome.at : null,
    at: outcome.at,
    delivered: outcome.delivered,
    baseMs: outcome.backoff.baseMs,
    maxMs: outcome.backoff.maxMs,
    jitter: outcome.backoff.jitter,
  };
}

export function toClaimed(row: ClaimedRow, claimToken: string): ClaimedDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    url: row.url,
    secret: row.secret,
    event: storedEvent(row.event),
    attempts: row.attempts,
    claimToken,
  };
}
