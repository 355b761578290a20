/** PostgreSQL: the webhook tables' migrations (see migrations.ts for the order they run in). */

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

/**
 * The outbox proper: a save writes one small entry per change set (the Versions of its history
 * entries, which hold the events), and the delivery worker fans it out.
 * Receivers get a failing state of their own, and claims go per webhook in Version order.
 */
export const WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_outbox (
    seq         bigserial PRIMARY KEY,
    versions    text NOT NULL,
    event_count integer NOT NULL,
    created_at  bigint NOT NULL,
    fanned_to   integer NOT NULL DEFAULT 0
  );
  ALTER TABLE webhooks
    ADD COLUMN failures integer NOT NULL DEFAULT 0,
    ADD COLUMN failing_since bigint,
    ADD COLUMN paused_until bigint,
    ADD COLUMN last_error text;
  DROP INDEX webhook_deliveries_due;
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id, event_version, seq)
    WHERE status = 'pending';
`;
