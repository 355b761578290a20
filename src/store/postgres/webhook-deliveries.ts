/**
 * PostgreSQL: claiming webhook deliveries and recording their outcomes (WebhookDeliveryStore).
 * A claim is one UPDATE over rows picked FOR UPDATE SKIP LOCKED, so workers on any number of
 * nodes never take the same row, and never wait on each other either.
 */
import type pg from "pg";
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

/** Claimable: pending, due, and not under someone else's live lease ($1 = now). */
const CLAIMABLE = `d.status = 'pending' AND d.next_attempt_at <= $1
  AND (d.claimed_until IS NULL OR d.claimed_until <= $1)`;

const CLAIM = `WITH wanted AS (
    SELECT * FROM unnest($4::int[], $5::int[]) AS t(webhook_id, n)
  ), due AS (
    SELECT p.seq FROM wanted CROSS JOIN LATERAL (
      SELECT d.seq FROM webhook_deliveries d
      WHERE d.webhook_id = wanted.webhook_id AND ${CLAIMABLE}
      ORDER BY d.event_version, d.seq LIMIT wanted.n
      FOR UPDATE SKIP LOCKED
    ) p
  )
  UPDATE webhook_deliveries d
  SET claim_token = $2, claimed_until = $3, attempts = d.attempts + 1, last_attempt_at = $1
  FROM due, webhooks w
  WHERE d.seq = due.seq AND w.id = d.webhook_id AND ${CLAIMABLE}
  RETURNING d.id, d.webhook_id, d.event, d.attempts, d.event_version, d.seq, w.url, w.secret`;

/**
 * Records an outcome and, in the same statement, the receiver's failing state. Attempts that
 * were in flight together fail together: one failing during the rest neither counts again nor
 * lengthens it.
 */
const RECORD = `WITH d AS (
    UPDATE webhook_deliveries
    SET status = $3, last_status_code = $4, last_error = $5, next_attempt_at = $6,
        delivered_at = $7, claim_token = NULL, claimed_until = NULL
    WHERE id = $1 AND claim_token = $2 AND status = 'pending'
    RETURNING webhook_id
  ), receiver AS (
    UPDATE webhooks w SET
      failures = CASE WHEN $8 THEN 0 WHEN w.paused_until > $9 THEN w.failures
        ELSE w.failures + 1 END,
      failing_since = CASE WHEN $8 THEN NULL ELSE coalesce(w.failing_since, $9) END,
      last_error = CASE WHEN $8 THEN NULL ELSE $5 END,
      paused_until = CASE WHEN $8 THEN NULL WHEN w.paused_until > $9 THEN w.paused_until
        ELSE $9 + ($12::float8 * LEAST($11::bigint, $10::bigint << LEAST(w.failures, 24)))::bigint END
    FROM d WHERE w.id = d.webhook_id AND (NOT $8 OR w.failures > 0)
  )
  SELECT count(*)::int AS recorded FROM d`;

/** The deliveries part of the store, over the store's pool. */
export class PostgresWebhookDeliveries implements WebhookDeliveryStore {
  constructor(private readonly pool: pg.Pool) {}

  async dueWebhooks(now: number, limit: number): Promise<DueWebhook[]> {
    const { rows } = await this.pool.query<DueRow>(
      `SELECT w.id AS webhook_id, w.failures > 0 AS failing, c.due
       FROM webhooks w CROSS JOIN LATERAL (
         SELECT count(*)::int AS due FROM (
           SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND ${CLAIMABLE} LIMIT $2
         ) x
       ) c
       WHERE (w.paused_until IS NULL OR w.paused_until <= $1) AND c.due > 0
       ORDER BY w.id`,
      [now, limit],
    );
    return rows.map(toDue);
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
    if (claim.webhooks.length === 0) return [];
    const { rows } = await this.pool.query<ClaimedRow & { event_version: number; seq: number }>(
      CLAIM,
      [
        claim.now,
        claim.token,
        claim.now + claim.leaseMs,
        claim.webhooks.map((w) => w.webhookId),
        claim.webhooks.map((w) => w.limit),
      ],
    );
    return rows
      .sort(
        (a, b) => a.webhook_id - b.webhook_id || a.event_version - b.event_version || a.seq - b.seq,
      )
      .map((row) => toClaimed(row, claim.token));
  }

  async recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean> {
    const v = outcomeValues(outcome);
    const { rows } = await this.pool.query<{ recorded: number }>(RECORD, [
      id,
      claimToken,
      v.status,
      v.statusCode,
      v.error,
      v.nextAttemptAt,
      v.deliveredAt,
      v.delivered,
      v.at,
      v.baseMs,
      v.maxMs,
      v.jitter,
    ]);
    return rows[0].recorded > 0;
  }

  async listDeliveries(webhookId: number, limit: number): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT id, webhook_id, event, status, attempts, last_status_code, last_error,
              last_attempt_at, next_attempt_at, delivered_at, created_at
       FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq DESC LIMIT $2`,
      [webhookId, limit],
    );
    return rows.map(toDelivery);
  }

  async purgeDeliveries(before: number): Promise<number> {
    const result = await this.pool.query(
      "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < $1",
      [before],
    );
    return result.rowCount ?? 0;
  }
}
