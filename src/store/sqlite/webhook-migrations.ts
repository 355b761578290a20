/** SQLite: the webhook tables' migrations (see migrations.ts for the order they run in). */

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

/**
 * The outbox proper: a save writes one small entry per change set (the Versions of its history
 * entries, which hold the events), and the delivery worker fans it out.
 * Receivers get a failing state of their own, and claims go per webhook in Version order.
 */
export const WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    versions    TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    fanned_to   INTEGER NOT NULL DEFAULT 0
  );
  ALTER TABLE webhooks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE webhooks ADD COLUMN failing_since INTEGER;
  ALTER TABLE webhooks ADD COLUMN paused_until INTEGER;
  ALTER TABLE webhooks ADD COLUMN last_error TEXT;
  DROP INDEX webhook_deliveries_due;
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id, event_version, seq)
    WHERE status = 'pending';
`;
