/**
 * SQLite: webhooks and their delivery outbox (WebhookStore). Every outbox operation is one
 * conditional statement or one IMMEDIATE transaction, so claims stay atomic across
 * connections and processes sharing the file.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { RoutingEvent } from "../../domain/routing-event.ts";
import type { Delivery, NewWebhook, Webhook, WebhookEventType } from "../../domain/webhook.ts";
import type { HistoryRow } from "../rows/history.ts";
import type { RoutingEventRow } from "../rows/routing-events.ts";
import {
  type ClaimedRow,
  type DeliveryRow,
  type DueRow,
  entryEvents,
  eventTypesText,
  type OutboxRow,
  outcomeValues,
  parseVersionRanges,
  routingEntryEvents,
  toClaimed,
  toDelivery,
  toDue,
  toWebhook,
  versionRanges,
  type WebhookRow,
  webhooksPerStep,
} from "../rows/webhooks.ts";
import type {
  ClaimedDelivery,
  DeliveryClaim,
  DeliveryOutcome,
  DueWebhook,
  WebhookStore,
} from "../webhooks.ts";
import { FAN_OUT, FAN_OUT_ROUTING } from "./webhook-fan-out.ts";

/** Claimable: pending, due, and not under someone else's live lease. */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= @now
  AND (claimed_until IS NULL OR claimed_until <= @now)`;

function statements(db: Database.Database) {
  return {
    enqueue: db.prepare(
      "INSERT INTO webhook_outbox (kind, versions, event_count, created_at) VALUES (?, ?, ?, ?)",
    ),
    oldestEntry: db.prepare(
      "SELECT seq, kind, versions, event_count, created_at, fanned_to FROM webhook_outbox ORDER BY seq LIMIT 1",
    ),
    history: db.prepare("SELECT * FROM presence_history WHERE id BETWEEN ? AND ? ORDER BY id"),
    routing: db.prepare("SELECT * FROM routing_events WHERE id BETWEEN ? AND ? ORDER BY id"),
    anyEntry: db.prepare("SELECT EXISTS (SELECT 1 FROM webhook_outbox)").pluck(),
    nextWebhooks: db
      .prepare("SELECT id FROM webhooks WHERE id > ? AND created_at <= ? ORDER BY id LIMIT ?")
      .pluck(),
    fanOut: db.prepare(FAN_OUT),
    fanOutRouting: db.prepare(FAN_OUT_ROUTING),
    entryDone: db.prepare("DELETE FROM webhook_outbox WHERE seq = ?"),
    entryServed: db.prepare("UPDATE webhook_outbox SET fanned_to = ? WHERE seq = ?"),
    due: db.prepare(
      `SELECT w.id AS webhook_id, w.failures > 0 AS failing,
              (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries d
                WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= @now
                  AND (d.claimed_until IS NULL OR d.claimed_until <= @now)
                LIMIT @limit)) AS due
       FROM webhooks w WHERE w.paused_until IS NULL OR w.paused_until <= @now ORDER BY w.id`,
    ),
    claim: db.prepare(
      `UPDATE webhook_deliveries
       SET claim_token = @token, claimed_until = @until, attempts = attempts + 1,
           last_attempt_at = @now
       WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE webhook_id = @webhookId AND ${CLAIMABLE}
                     ORDER BY event_version, seq LIMIT @limit)`,
    ),
    claimed: db.prepare(
      `SELECT d.id, d.webhook_id, d.event, d.attempts, w.url, w.secret
       FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.claim_token = ? ORDER BY d.webhook_id, d.event_version, d.seq`,
    ),
    record: db.prepare(
      `UPDATE webhook_deliveries
       SET status = @status, last_status_code = @statusCode, last_error = @error,
           next_attempt_at = @nextAttemptAt, delivered_at = @deliveredAt,
           claim_token = NULL, claimed_until = NULL
       WHERE id = @id AND claim_token = @token AND status = 'pending'
       RETURNING webhook_id`,
    ),
    receiverFailed: db.prepare(
      // Attempts that were in flight together fail together: one failing during the rest
      // neither counts again nor lengthens it.
      `UPDATE webhooks
       SET failing_since = coalesce(failing_since, @at), last_error = @error,
           failures = CASE WHEN paused_until > @at THEN failures ELSE failures + 1 END,
           paused_until = CASE WHEN paused_until > @at THEN paused_until
             ELSE @at + CAST(@jitter * min(@maxMs, @baseMs * (1 << min(failures, 24))) AS INTEGER) END
       WHERE id = @webhookId`,
    ),
    receiverHealthy: db.prepare(
      `UPDATE webhooks SET failures = 0, failing_since = NULL, paused_until = NULL, last_error = NULL
       WHERE id = ? AND failures > 0`,
    ),
  };
}

/** The webhook part of the store, over the store's connection. */
export class SqliteWebhooks implements WebhookStore {
  private readonly sql;
  private knownWebhooks: number | null = null;
  /** The events of the entry being fanned out, read from history once for all its steps. */
  private fanning: { seq: number; events: string } | null = null;

  constructor(private readonly db: Database.Database) {
    // PostgreSQL has gen_random_uuid(); SQLite gets the same from Node, per row.
    db.function("chat_presence_uuid", { deterministic: false }, () => randomUUID());
    this.sql = statements(db);
  }

  async createWebhook(webhook: NewWebhook, now: number, limit: number): Promise<Webhook | null> {
    this.knownWebhooks = null;
    const insert = this.db.prepare(
      `INSERT INTO webhooks (url, secret, topic_id, event_types, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    const row = this.db
      .transaction(() => {
        if (this.countWebhooks() >= limit) return undefined;
        const types = eventTypesText(webhook.eventTypes);
        return insert.get(
          webhook.url,
          webhook.secret,
          webhook.topicId,
          types,
          now,
          webhook.createdBy,
        );
      })
      .immediate() as WebhookRow | undefined;
    this.knownWebhooks = null;
    return row ? toWebhook(row) : null;
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (this.db.prepare("SELECT * FROM webhooks ORDER BY id").all() as WebhookRow[]).map(
      toWebhook,
    );
  }

  async getWebhook(id: number): Promise<Webhook | null> {
    const row = this.db.prepare("SELECT * FROM webhooks WHERE id = ?").get(id) as
      | WebhookRow
      | undefined;
    return row ? toWebhook(row) : null;
  }

  async setWebhookEventTypes(id: number, types: readonly WebhookEventType[]) {
    const row = this.db
      .prepare("UPDATE webhooks SET event_types = ? WHERE id = ? RETURNING *")
      .get(eventTypesText(types), id) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  }

  async deleteWebhook(id: number): Promise<boolean> {
    // Its deliveries go with it (ON DELETE CASCADE, through the webhook_id index).
    this.knownWebhooks = null;
    return this.db.prepare("DELETE FROM webhooks WHERE id = ?").run(id).changes > 0;
  }

  private countWebhooks(): number {
    return this.db.prepare("SELECT COUNT(*) FROM webhooks").pluck().get() as number;
  }

  /**
   * How many webhooks exist, remembered between changes: a SQLite file has one server, so only
   * this object adds or removes them, and a save with no webhook to feed skips the outbox.
   */
  private webhookCount(): number {
    this.knownWebhooks ??= this.countWebhooks();
    return this.knownWebhooks;
  }

  async enqueueChanges(events: readonly PresenceEvent[], now: number): Promise<boolean> {
    return this.enqueueInTransaction(events, now);
  }

  /** The outbox entry of `events`, within the caller's transaction (a save's, or its own). */
  enqueueInTransaction(events: readonly PresenceEvent[], now: number): boolean {
    if (events.length === 0 || this.webhookCount() === 0) return false;
    this.sql.enqueue.run(
      "presence",
      versionRanges(events.map((e) => e.Version)),
      events.length,
      now,
    );
    return true;
  }

  async enqueueRoutingEvents(events: readonly RoutingEvent[], now: number): Promise<boolean> {
    if (events.length === 0 || this.webhookCount() === 0) return false;
    this.sql.enqueue.run("routing", versionRanges(events.map((e) => e.id)), events.length, now);
    return true;
  }

  async fanOut(rowBudget: number): Promise<boolean> {
    const { oldestEntry, nextWebhooks, entryDone, entryServed, anyEntry } = this.sql;
    // A plain read first: the write lock is taken only when there is something to fan out.
    if (!anyEntry.get()) return false;
    return this.db
      .transaction(() => {
        const entry = oldestEntry.get() as OutboxRow | undefined;
        if (!entry) return false;
        const take = webhooksPerStep(entry, rowBudget);
        const ids = nextWebhooks.all(entry.fanned_to, entry.created_at, take) as number[];
        const last = ids.at(-1);
        if (last !== undefined) {
          const events = this.outboxEvents(entry);
          const fanOut = entry.kind === "routing" ? this.sql.fanOutRouting : this.sql.fanOut;
          fanOut.run({ events, createdAt: entry.created_at, after: entry.fanned_to, last });
        }
        if (ids.length < take) entryDone.run(entry.seq);
        else entryServed.run(last, entry.seq);
        return true;
      })
      .immediate();
  }

  private outboxEvents(entry: OutboxRow): string {
    if (this.fanning?.seq !== entry.seq) {
      const { first, last } = parseVersionRanges(entry.versions);
      const events =
        entry.kind === "routing"
          ? routingEntryEvents(entry, this.sql.routing.all(first, last) as RoutingEventRow[])
          : entryEvents(entry, this.sql.history.all(first, last) as HistoryRow[]);
      this.fanning = { seq: entry.seq, events };
    }
    return this.fanning.events;
  }

  async dueWebhooks(now: number, limit: number): Promise<DueWebhook[]> {
    const rows = this.sql.due.all({ now, limit }) as DueRow[];
    return rows.filter((row) => row.due > 0).map(toDue);
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
    const { claim: update, claimed } = this.sql;
    const rows = this.db
      .transaction(() => {
        let changes = 0;
        for (const { webhookId, limit } of claim.webhooks) {
          changes += update.run({
            token: claim.token,
            now: claim.now,
            until: claim.now + claim.leaseMs,
            webhookId,
            limit,
          }).changes;
        }
        return changes === 0 ? [] : claimed.all(claim.token);
      })
      .immediate() as ClaimedRow[];
    return rows.map((row) => toClaimed(row, claim.token));
  }

  async recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean> {
    const { record, receiverFailed, receiverHealthy } = this.sql;
    const values = outcomeValues(outcome);
    return this.db
      .transaction(() => {
        const row = record.get({ id, token: claimToken, ...values }) as
          | { webhook_id: number }
          | undefined;
        if (!row) return false;
        if (values.delivered) receiverHealthy.run(row.webhook_id);
        else receiverFailed.run({ ...values, webhookId: row.webhook_id });
        return true;
      })
      .immediate();
  }

  async listDeliveries(webhookId: number, limit: number): Promise<Delivery[]> {
    const rows = this.db
      .prepare(
        `SELECT id, webhook_id, event, status, attempts, last_status_code, last_error,
                last_attempt_at, next_attempt_at, delivered_at, created_at
         FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(webhookId, limit) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async purgeDeliveries(before: number): Promise<number> {
    return this.db
      .prepare(
        "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < ?",
      )
      .run(before).changes;
  }
}
