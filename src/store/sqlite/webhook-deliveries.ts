/**
 * SQLite: claiming webhook deliveries and recording their outcomes (WebhookDeliveryStore).
 * A claim and a record are each one IMMEDIATE transaction, so claims stay atomic across
 * connections and processes sharing the file.
 */
import type Database from "better-sqlite3";
import type { Delivery } from "../../domain/webhook.ts";
import {
  type ClaimedRow,
  type DeliveryRow,
  type DueRow,
  outcomeValues,
  toClaimed,
  toDelivery,
  toDue,
} from "../rows/webhooks.ts";
import type {
  ClaimedDelivery,
  DeliveryClaim,
  DeliveryOutcome,
  DueWebhook,
  WebhookDeliveryStore,
} from "../webhooks.ts";

/** Claimable: pending, due, and not under someone else's live lease. */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= @now
  AND (claimed_until IS NULL OR claimed_until <= @now)`;

function statements(db: Database.Database) {
  return {
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

/** The deliveries part of the store, over the store's connection. */
export class SqliteWebhookDeliveries implements WebhookDeliveryStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.sql = statements(db);
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
