import type Database from "better-sqlite3";
import { canonicalUsernames } from "../../domain/username.ts";
import { routingTables } from "../rows/routing.ts";
import { HISTORY_MIGRATION } from "./history.ts";
import { MESSAGES_MIGRATION } from "./messages.ts";
import { ROUTING_EVENTS_MIGRATION } from "./routing-events.ts";
import { WEBHOOK_OUTBOX_MIGRATION, WEBHOOKS_MIGRATION } from "./webhook-migrations.ts";

/**
 * Versioned schema migrations, applied in order at start inside one transaction each.
 * Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  after?: (db: Database.Database) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "directory, presence and credentials",
    sql: `
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name  TEXT NOT NULL DEFAULT '',
        role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
        present       INTEGER NOT NULL DEFAULT 0,
        password_hash TEXT
      );
      CREATE TABLE topics (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE topic_members (
        topic_id    INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        can_listen  INTEGER NOT NULL DEFAULT 0,
        can_respond INTEGER NOT NULL DEFAULT 0,
        can_manage  INTEGER NOT NULL DEFAULT 0,
        can_notify  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (topic_id, user_id)
      );
      CREATE INDEX topic_members_user ON topic_members(user_id);
      CREATE TABLE sessions (
        id       INTEGER PRIMARY KEY,
        topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
        status   TEXT NOT NULL
      );
      CREATE INDEX sessions_user_status ON sessions(user_id, status);
      CREATE TABLE credentials (
        hash       TEXT PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('ticket', 'bearer', 'session')),
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL,
        xsrf_hash  TEXT
      );
      CREATE INDEX credentials_user ON credentials(user_id);
      CREATE TABLE app_tokens (
        hash TEXT PRIMARY KEY
      );
    `,
  },
  { version: 2, name: "presence history and heartbeat deadlines", sql: HISTORY_MIGRATION },
  {
    version: 3,
    name: "chat topic details, session details and transfers",
    sql: `
      ALTER TABLE topics ADD COLUMN description TEXT NOT NULL DEFAULT '';
      ALTER TABLE topics ADD COLUMN welcome_message TEXT NOT NULL DEFAULT '';
      ALTER TABLE topics ADD COLUMN opening_hours_enabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE topics ADD COLUMN opening_hours TEXT;
      ALTER TABLE topics ADD COLUMN settings TEXT;
      ALTER TABLE sessions ADD COLUMN transfer_to INTEGER REFERENCES users(id) ON DELETE SET NULL;
      ALTER TABLE sessions ADD COLUMN customer_alias TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_email TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_phone TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_company_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_host TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN customer_consented INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sessions ADD COLUMN first_message TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN last_message TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sessions ADD COLUMN chatbot_active INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sessions ADD COLUMN initial_queue_pos INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sessions ADD COLUMN when_requested INTEGER;
      ALTER TABLE sessions ADD COLUMN when_started INTEGER;
      ALTER TABLE sessions ADD COLUMN when_ended INTEGER;
      CREATE INDEX sessions_queue ON sessions(status, topic_id, when_requested);
      CREATE INDEX sessions_topic ON sessions(topic_id);
      CREATE INDEX sessions_transfer ON sessions(transfer_to) WHERE transfer_to IS NOT NULL;
    `,
  },
  { version: 4, name: "webhooks and their delivery outbox", sql: WEBHOOKS_MIGRATION },
  {
    version: 5,
    name: "history without a per-user index",
    // Every save writes one history row per changed user; a (user_id, id) index put each row on a
    // random leaf page, so a 10-entry save dirtied ten extra pages and its cost grew with the
    // table (55 µs to 240 µs over 400,000 rows). Rows now go only to the ends of the table and
    // of the time index; a per-user query scans instead (about 45 ms per 400,000 rows), and
    // history reads are rare next to saves.
    sql: "DROP INDEX presence_history_user;",
  },
  {
    version: 6,
    name: "webhook outbox of change sets, receiver state",
    sql: WEBHOOK_OUTBOX_MIGRATION,
  },
  {
    version: 7,
    name: "canonical usernames",
    // The canonical form is computed in JavaScript (src/domain/username.ts), never by SQLite,
    // whose NOCASE folds ASCII only: lookup and uniqueness go by this column.
    sql: "ALTER TABLE users ADD COLUMN username_key TEXT NOT NULL DEFAULT '';",
    after(db) {
      const rows = db.prepare("SELECT id, username FROM users ORDER BY id").all() as {
        id: number;
        username: string;
      }[];
      const set = db.prepare("UPDATE users SET username_key = ? WHERE id = ?");
      for (const { id, key } of canonicalUsernames(rows)) set.run(key, id);
      db.exec("CREATE UNIQUE INDEX users_username_key ON users(username_key);");
    },
  },
  { version: 8, name: "chat messages and the sessions' WhenIdle", sql: MESSAGES_MIGRATION },
  {
    version: 9,
    name: "agent capacity: chat limits per user and per topic",
    sql: `
      ALTER TABLE users ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 0 CHECK (max_chats >= 0);
      ALTER TABLE topics ADD COLUMN max_chats_per_agent INTEGER NOT NULL DEFAULT 0
        CHECK (max_chats_per_agent >= 0);
    `,
  },
  {
    version: 10,
    name: "routing: settings, open offers, missed offers",
    sql: routingTables("INTEGER"),
  },
  {
    version: 11,
    name: "the routing event log; webhook event types",
    sql: ROUTING_EVENTS_MIGRATION,
  },
];

/** Applies the migrations not yet applied, in order, each in a transaction of its own. */
export function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT)");
  const applied = new Set(
    db
      .prepare("SELECT version FROM schema_migrations")
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.after?.(db);
      db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(
        migration.version,
        migration.name,
      );
    }).immediate();
  }
}
