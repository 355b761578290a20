/**
 * PostgreSQL: webhooks and their delivery outbox (WebhookStore). A claim is one UPDATE over
 * rows picked FOR UPDATE SKIP LOCKED, so workers on any number of nodes never take the same
 * row, and never wait on each other either.
 */
import type pg from "pg";
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

/** Claimable: pending, due, and not under someone else's live lease ($1 = now). */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= $1
  AND (claimed_until IS NULL OR claimed_until <= $1)`;

/** The webhook part of the store, over the store's pool. */
export class PostgresWebhooks implements WebhookStore {
  constructor(private readonly pool: pg.Pool) {}

  async createWebhook(webhook: NewWebhook, now: number): Promise<Webhook> {
    const { rows } = await this.pool.query<WebhookRow>(
      `INSERT INTO webhooks (url, secret, topic_id, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [webhook.url, webhook.secret, webhook.topicId, now, webhook.createdBy],
    );
    return toWebhook(rows[0]);
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

  async deleteWebhook(id: number): Promise<boolean> {
    // Outbox rows and the log go with it (ON DELETE CASCADE).
    return ((await this.pool.query("DELETE FROM webhooks WHERE id = $1", [id])).rowCount ?? 0) > 0;
  }

  async enqueueDeliveries(events: readonly PresenceEvent[], now: number): Promise<number> {
    if (events.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO webhook_deliveries
         (id, webhook_id, event_version, user_id, event, status, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), w.id, (e->>'Version')::bigint, (e->>'UserId')::int, e,
              'pending', 0, $2, $2
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)
       JOIN webhooks w ON w.topic_id IS NULL
         OR e->'ChatTopics' @> to_jsonb(w.topic_id)
         OR e->'Previous'->'ChatTopics' @> to_jsonb(w.topic_id)
       ORDER BY ord, w.id`,
      [JSON.stringify(events), now],
    );
    return result.rowCount ?? 0;
  }

  async claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query<ClaimedRow & { next_attempt_at: number; seq: number }>(
      `WITH due AS (
         SELECT seq FROM webhook_deliveries WHERE ${CLAIMABLE}
         ORDER BY next_attempt_at, seq LIMIT $4
         FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
       SET claim_token = $2, claimed_until = $3, attempts = d.attempts + 1, last_attempt_at = $1
       FROM due, webhooks w
       WHERE d.seq = due.seq AND w.id = d.webhook_id AND d.status = 'pending'
         AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
       RETURNING d.id, d.webhook_id, d.event, d.attempts, d.next_attempt_at, d.seq, w.url, w.secret`,
      [claim.now, claim.token, claim.now + claim.leaseMs, claim.limit],
    );
    return rows
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq)
      .map((row) => toClaimed(row, claim.token));
  }

  async recordDelivery(id: string, claimToken: string, outcome: DeliveryOutcome): Promise<boolean> {
    const values = outcomeValues(outcome);
    const result = await this.pool.query(
      `UPDATE webhook_deliveries
       SET status = $3, last_status_code = $4, last_error = $5, next_attempt_at = $6,
           delivered_at = $7, claim_token = NULL, claimed_until = NULL
       WHERE id = $1 AND claim_token = $2 AND status = 'pending'`,
      [
        id,
        claimToken,
        values.status,
        values.statusCode,
        values.error,
        values.nextAttemptAt,
        values.deliveredAt,
      ],
    );
    return (result.rowCount ?? 0) > 0;
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

export const WEBHOOKS_MIGRATION = `
  CREATE TABLE webhooks (
    id         serial PRIMARY KEY,
    url        text NOT NULL,
    secret     text NOT NULL,
    topic_id   integer,
    created_at bigint NOT NULL,
    created_by integer
  );
  CREATE TABLE webhook_deliveries (
    seq              bigserial PRIMARY KEY,
    id               uuid NOT NULL UNIQUE,
    webhook_id       integer NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_version    bigint NOT NULL,
    user_id          integer NOT NULL,
    event            jsonb NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    last_attempt_at  bigint,
    next_attempt_at  bigint,
    delivered_at     bigint,
    claim_token      text,
    claimed_until    bigint,
    created_at       bigint NOT NULL
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, seq)
    WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, seq);
  CREATE INDEX webhook_deliveries_claim ON webhook_deliveries(claim_token)
    WHERE claim_token IS NOT NULL;
  CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at)
    WHERE status <> 'pending';
`;
