/**
 * PostgreSQL: webhooks and their outbox (WebhookOutboxStore); claims and outcomes of the
 * deliveries fan-out makes are in webhook-deliveries.ts. Fan-out runs under a
 * transaction-scoped advisory lock, one step at a time for the whole cluster, so outbox
 * entries are fanned out in order.
 */
import type pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { RoutingEvent } from "../../domain/routing-event.ts";
import type { NewWebhook, Webhook, WebhookEventType } from "../../domain/webhook.ts";
import type { HistoryRow } from "../rows/history.ts";
import type { RoutingEventRow } from "../rows/routing-events.ts";
import {
  entryEvents,
  eventTypesText,
  type OutboxRow,
  parseVersionRanges,
  routingEntryEvents,
  toWebhook,
  versionRanges,
  type WebhookRow,
  webhooksPerStep,
} from "../rows/webhooks.ts";
import type { WebhookOutboxStore } from "../webhooks.ts";
import { transaction } from "./connection.ts";
import { FAN_OUT, FAN_OUT_ROUTING } from "./webhook-fan-out.ts";

/**
 * A history `INSERT … RETURNING *` that also writes the webhook outbox entry of the rows it
 * inserts (when any webhook exists), in the same statement: a save's changes are enqueued in
 * the save's own transaction, so exactly once, at no round trip of their own. The Versions are
 * written as runs (`versionRanges`' format); each row comes back as its id and `enqueued`
 * (the caller has the rest: parsing rows it just wrote cost more than the insert).
 */
export function withOutboxEntry(historyInsert: string, now: number): string {
  return `WITH h AS (${historyInsert}),
    runs AS (
      SELECT min(id) AS lo, max(id) AS hi
      FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS run FROM h) AS r GROUP BY run),
    o AS (
      INSERT INTO webhook_outbox (versions, event_count, created_at)
      SELECT string_agg(CASE WHEN lo = hi THEN lo::text ELSE lo || '-' || hi END, ',' ORDER BY lo),
        (SELECT count(*) FROM h), ${Math.trunc(now)}
      FROM runs HAVING EXISTS (SELECT 1 FROM webhooks)
      RETURNING seq)
    SELECT h.id, EXISTS (SELECT 1 FROM o) AS enqueued FROM h`;
}

/** The webhooks and outbox part of the store, over the store's pool. */
export class PostgresWebhooks implements WebhookOutboxStore {
  /** The events of the entry being fanned out, read from history once for all its steps. */
  private fanning: { seq: number; events: string } | null = null;

  constructor(private readonly pool: pg.Pool) {}

  async createWebhook(webhook: NewWebhook, now: number, limit: number): Promise<Webhook | null> {
    return transaction(this.pool, async (client) => {
      // Registrations take turns (reads go on), so two nodes cannot both take the last place.
      await client.query("LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE");
      const { rows: count } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM webhooks",
      );
      if (count[0].n >= limit) return null;
      const { rows } = await client.query<WebhookRow>(
        `INSERT INTO webhooks (url, secret, topic_id, event_types, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          webhook.url,
          webhook.secret,
          webhook.topicId,
          eventTypesText(webhook.eventTypes),
          now,
          webhook.createdBy,
        ],
      );
      return toWebhook(rows[0]);
    });
  }

  async listWebhooks(): Promise<Webhook[]> {
    const { rows } = await this.pool.query<WebhookRow>("SELECT * FROM webhooks ORDER BY id");
    return rows.map(toWebhook);
  }

  async getWebhook(id: number): Promise<Webhook | null> {
    const { rows } = await this.pool.query<WebhookRow>("SELECT * FROM webhooks WHERE id = $1", [
      id,
    ]);
    return rows[0] ? toWebhook(rows[0]) : null;
  }

  async setWebhookEventTypes(id: number, types: readonly WebhookEventType[]) {
    const { rows } = await this.pool.query<WebhookRow>(
      "UPDATE webhooks SET event_types = $1 WHERE id = $2 RETURNING *",
      [eventTypesText(types), id],
    );
    return rows[0] ? toWebhook(rows[0]) : null;
  }

  async deleteWebhook(id: number): Promise<boolean> {
    // Its deliveries go with it (ON DELETE CASCADE, through the webhook_id index).
    return ((await this.pool.query("DELETE FROM webhooks WHERE id = $1", [id])).rowCount ?? 0) > 0;
  }

  async enqueueChanges(events: readonly PresenceEvent[], now: number): Promise<boolean> {
    return this.enqueue(
      "presence",
      events.map((e) => e.Version),
      now,
    );
  }

  async enqueueRoutingEvents(events: readonly RoutingEvent[], now: number): Promise<boolean> {
    return this.enqueue(
      "routing",
      events.map((e) => e.id),
      now,
    );
  }

  private async enqueue(kind: OutboxRow["kind"], ids: number[], now: number): Promise<boolean> {
    if (ids.length === 0) return false;
    const result = await this.pool.query(
      `INSERT INTO webhook_outbox (kind, versions, event_count, created_at)
       SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM webhooks)`,
      [kind, versionRanges(ids), ids.length, now],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async fanOut(rowBudget: number): Promise<boolean> {
    // One round trip when there is nothing to do, as on most polls.
    const { rows: any } = await this.pool.query<{ found: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM webhook_outbox) AS found",
    );
    if (!any[0].found) return false;
    return transaction(this.pool, async (client) => {
      const { rows: lock } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('chat-presence:webhook-fan-out:' || current_schema()))
           AS locked`,
      );
      if (!lock[0].locked) return false; // Another node is fanning out.
      const { rows } = await client.query<OutboxRow>(
        "SELECT seq, kind, versions, event_count, created_at, fanned_to FROM webhook_outbox ORDER BY seq LIMIT 1",
      );
      const entry = rows[0];
      if (!entry) return false;
      const take = webhooksPerStep(entry, rowBudget);
      const { rows: hooks } = await client.query<{ id: number }>(
        "SELECT id FROM webhooks WHERE id > $1 AND created_at <= $2 ORDER BY id LIMIT $3",
        [entry.fanned_to, entry.created_at, take],
      );
      const last = hooks.at(-1)?.id;
      if (last !== undefined) {
        const events = await this.outboxEvents(client, entry);
        const fanOut = entry.kind === "routing" ? FAN_OUT_ROUTING : FAN_OUT;
        await client.query(fanOut, [events, entry.fanned_to, last, entry.created_at]);
      }
      if (hooks.length < take)
        await client.query("DELETE FROM webhook_outbox WHERE seq = $1", [entry.seq]);
      else
        await client.query("UPDATE webhook_outbox SET fanned_to = $1 WHERE seq = $2", [
          last,
          entry.seq,
        ]);
      return true;
    });
  }

  private async outboxEvents(client: pg.PoolClient, entry: OutboxRow): Promise<string> {
    if (this.fanning?.seq !== entry.seq) {
      const { first, last } = parseVersionRanges(entry.versions);
      const routing = entry.kind === "routing";
      const { rows } = await client.query<HistoryRow & RoutingEventRow>(
        `SELECT * FROM ${routing ? "routing_events" : "presence_history"}
         WHERE id BETWEEN $1 AND $2 ORDER BY id`,
        [first, last],
      );
      const events = routing ? routingEntryEvents(entry, rows) : entryEvents(entry, rows);
      this.fanning = { seq: entry.seq, events };
    }
    return this.fanning.events;
  }
}
