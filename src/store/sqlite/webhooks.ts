/**
 * SQLite: webhooks and their delivery outbox (WebhookStore). Every outbox operation is one
 * conditional statement (or one IMMEDIATE transaction), so claims stay atomic across
 * connections and processes sharing the file.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { Delivery, NewWebhook, Webhook } from "../../domain/webhook.ts";
import {
  type ClaimedRow,
  type DeliveryRow,
  outcomeValues,
  toClaimed,
  toDelivery,
  toWebhook,
  type WebhookRow,
} from "../rows/webhooks.ts";
import type { ClaimedDelivery, DeliveryClaim, DeliveryOutcome, WebhookStore } from "../webhooks.ts";

/** Claimable: pending, due, and not under someone else's live lease. */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= @now
  AND (claimed_until IS NULL OR claimed_until <= @now)`;

/** The webhook part of the store, over the store's connection. */
export class SqliteWebhooks implements WebhookStore {
  private readonly webhookStatements;
  private knownWebhooks: number | null = null;

  constructor(private readonly db: Database.Database) {
    // PostgreSQL has gen_random_uuid(); SQLite gets the same from Node, per row.
    db.function("chat_presence_uuid", { deterministic: false }, () => randomUUID());
    this.webhookStatements = {
      enqueue: db.prepare(
        `INSERT INTO webhook_deliveries
           (id, webhook_id, event_version, user_id, event, status, attempts, next_attempt_at, created_at)
         SELECT chat_presence_uuid(), w.id, e.value ->> '$.Version', e.value ->> '$.UserId',
                e.value, 'pending', 0, @now, @now
         FROM json_each(@events) e JOIN webhooks w
         WHERE w.topic_id IS NULL
            OR EXISTS (SELECT 1 FROM json_each(e.value, '$.ChatTopics') t WHERE t.value = w.topic_id)
            OR EXISTS (SELECT 1 FROM json_each(e.value, '$.Previous.ChatTopics') t
                       WHERE t.value = w.topic_id)
         ORDER BY e.key, w.id`,
      ),
      claim: db.prepare(
        `UPDATE webhook_deliveries
         SET claim_token = @token, claimed_until = @until, attempts = attempts + 1,
             last_attempt_at = @now
         WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE ${CLAIMABLE}
                       ORDER BY next_attempt_at, seq LIMIT @limit)
           AND ${CLAIMABLE}`,
      ),
      claimed: db.prepare(
        `SELECT d.id, d.webhook_id, d.event, d.attempts, w.url, w.secret
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.claim_token = ? ORDER BY d.next_attempt_at, d.seq`,
      ),
      record: db.prepare(
        `UPDATE webhook_deliveries
         SET status = @status, last_status_code = @statusCode, last_error = @error,
             next_attempt_at = @nextAttemptAt, delivered_at = @deliveredAt,
             claim_token = NULL, claimed_until = NULL
         WHERE id = @id AND claim_token = @token AND status = 'pending'`,
      ),
    };
  }

  async createWebhook(webhook: NewWebhook, now: number): Promise<Webhook> {
    this.knownWebhooks = null;
    const row = this.db
      .prepare(
        `INSERT INTO webhooks (url, secret, topic_id, created_at, created_by)
         VALUES (?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(webhook.url, webhook.secret, webhook.topicId, now, webhook.createdBy) as WebhookRow;
    return toWebhook(row);
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

  async deleteWebhook(id: number): Promise<boolean> {
    // Outbox rows and the log go with it (ON DELETE CASCADE).
    this.knownWebhooks = null;
    return this.db.prepare("DELETE FROM webhooks WHERE id = ?").run(id).changes > 0;
  }

  /**
   * How many webhooks exist, remembered between changes: a SQLite file has one server, so only
   * this object adds or removes them, and a save with no webhook to feed skips the outbox.
   */
  private webhookCount(): number {
    this.knownWebhooks ??= this.db.prepare("SELECT COUNT(*) FROM webhooks").pluck().get() as number;
    return this.knownWebhooks;
  }

  async enqueueDeliveries(events: readonly PresenceEvent[], now: number): Promise<number> {
    if (events.length === 0 || this.webhookCount() === 0) return 0;
    return this.webhookStatements.enqueue.run({ events: JSON.stringify(events), now }).changes;
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
    const { claim: update, claimed } = this.webhookStatements;
    const rows = this.db
      .transaction(() => {
        const { changes } = update.run({
          token: claim.token,
          now: claim.now,
          until: claim.now + claim.leaseMs,
          limit: claim.limit,
        });
        return changes === 0 ? [] : claimed.all(claim.token);
      })
      .immediate() as ClaimedRow[];
    return rows.map((row) => toClaimed(row, claim.token));
  }

  async recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean> {
    const { record } = this.webhookStatements;
    return record.run({ id, token: claimToken, ...outcomeValues(outcome) }).changes > 0;
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

export const WEBHOOKS_MIGRATION = `
  CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    topic_id   INTEGER,
    created_at INTEGER NOT NULL,
    created_by INTEGER
  );
  CREATE TABLE webhook_deliveries (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    webhook_id       INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_version    INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    event            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    last_attempt_at  INTEGER,
    next_attempt_at  INTEGER,
    delivered_at     INTEGER,
    claim_token      TEXT,
    claimed_until    INTEGER,
    created_at       INTEGER NOT NULL
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, seq)
    WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, seq);
  CREATE INDEX webhook_deliveries_claim ON webhook_deliveries(claim_token)
    WHERE claim_token IS NOT NULL;
  CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at)
    WHERE status <> 'pending';
`;
