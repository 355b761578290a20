/**
 * PostgreSQL schema migrations: the same versions as the SQLite ones, in PostgreSQL's
 * dialect. Applied at start under an advisory lock, so nodes starting together do not race.
 */
import type { PoolClient } from "pg";
import { canonicalUsernames } from "../../domain/username.ts";
import { routingTables } from "../rows/routing.ts";
import { MESSAGES_MIGRATION } from "./messages.ts";
import { ROUTING_EVENTS_MIGRATION } from "./routing-events.ts";
import { SESSION_SEQUENCE_PAST_IDS } from "./sessions.ts";
import { WEBHOOK_OUTBOX_MIGRATION, WEBHOOKS_MIGRATION } from "./webhook-migrations.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  after?: (client: PoolClient) => Promise<void>;
}

/**
 * Tells every node when a user's role, password or name changes, when a user is deleted and
 * when credentials are deleted, as the change commits, whoever made it (a node, the CLI, SQL by
 * hand): nodes then drop what they cached about that user. The channel is the change bus's.
 */
const USER_CHANGE_TRIGGERS = `
  CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('chat_presence_' || TG_TABLE_SCHEMA, 'user:' || OLD.id);
    RETURN NULL;
  END $$;
  CREATE TRIGGER users_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
      OR OLD.username IS DISTINCT FROM NEW.username)
    EXECUTE FUNCTION notify_user_changed();
  CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION notify_user_changed();
  CREATE FUNCTION notify_credentials_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('chat_presence_' || TG_TABLE_SCHEMA, 'user:' || user_id)
      FROM (SELECT DISTINCT user_id FROM gone) AS owners;
    RETURN NULL;
  END $$;
  CREATE TRIGGER credentials_deleted AFTER DELETE ON credentials
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION notify_credentials_deleted();
`;

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "directory, presence and credentials",
    sql: `
      CREATE TABLE users (
        id            integer PRIMARY KEY,
        username      text NOT NULL,
        display_name  text NOT NULL DEFAULT '',
        role          text NOT NULL CHECK (role IN ('admin', 'agent')),
        present       boolean NOT NULL DEFAULT false,
        password_hash text
      );
      CREATE UNIQUE INDEX users_username ON users (lower(username));
      CREATE TABLE topics (
        id   integer PRIMARY KEY,
        name text NOT NULL DEFAULT ''
      );
      CREATE TABLE topic_members (
        topic_id    integer NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        can_listen  boolean NOT NULL DEFAULT false,
        can_respond boolean NOT NULL DEFAULT false,
        can_manage  boolean NOT NULL DEFAULT false,
        can_notify  boolean NOT NULL DEFAULT false,
        PRIMARY KEY (topic_id, user_id)
      );
      CREATE INDEX topic_members_user ON topic_members(user_id);
      CREATE TABLE sessions (
        id       integer PRIMARY KEY,
        topic_id integer NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        user_id  integer REFERENCES users(id) ON DELETE SET NULL,
        status   text NOT NULL
      );
      CREATE INDEX sessions_user_status ON sessions(user_id, status);
      CREATE TABLE credentials (
        hash       text PRIMARY KEY,
        kind       text NOT NULL CHECK (kind IN ('ticket', 'bearer', 'session')),
        user_id    integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at bigint NOT NULL,
        xsrf_hash  text
      );
      CREATE INDEX credentials_user ON credentials(user_id);
      CREATE TABLE app_tokens (
        hash text PRIMARY KEY
      );
    `,
  },
  {
    version: 2,
    name: "presence history and heartbeat deadlines",
    sql: `
      CREATE TABLE presence_history (
        id            bigserial PRIMARY KEY,
        user_id       integer NOT NULL,
        present       boolean NOT NULL,
        ongoing_chats integer NOT NULL,
        chat_topics   integer[] NOT NULL,
        previous      jsonb,
        source        text NOT NULL,
        changed_by    integer,
        at            bigint NOT NULL
      );
      CREATE INDEX presence_history_user ON presence_history(user_id, id);
      CREATE INDEX presence_history_at ON presence_history(at);
      ALTER TABLE users ADD COLUMN present_until bigint;
      ALTER TABLE users ADD COLUMN presence_ttl integer;
      CREATE INDEX users_present_until ON users(present_until) WHERE present_until IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: "chat topic details, session details and transfers",
    sql: `
      ALTER TABLE topics
        ADD COLUMN description text NOT NULL DEFAULT '',
        ADD COLUMN welcome_message text NOT NULL DEFAULT '',
        ADD COLUMN opening_hours_enabled boolean NOT NULL DEFAULT false,
        ADD COLUMN opening_hours jsonb,
        ADD COLUMN settings jsonb;
      ALTER TABLE sessions
        ADD COLUMN transfer_to integer REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN customer_alias text NOT NULL DEFAULT '',
        ADD COLUMN customer_name text NOT NULL DEFAULT '',
        ADD COLUMN customer_email text NOT NULL DEFAULT '',
        ADD COLUMN customer_phone text NOT NULL DEFAULT '',
        ADD COLUMN customer_company_name text NOT NULL DEFAULT '',
        ADD COLUMN customer_host text NOT NULL DEFAULT '',
        ADD COLUMN customer_consented boolean NOT NULL DEFAULT false,
        ADD COLUMN first_message text NOT NULL DEFAULT '',
        ADD COLUMN last_message text NOT NULL DEFAULT '',
        ADD COLUMN rating integer NOT NULL DEFAULT 0,
        ADD COLUMN chatbot_active boolean NOT NULL DEFAULT false,
        ADD COLUMN initial_queue_pos integer NOT NULL DEFAULT 0,
        ADD COLUMN when_requested bigint,
        ADD COLUMN when_started bigint,
        ADD COLUMN when_ended bigint;
      CREATE INDEX sessions_queue ON sessions(status, topic_id, when_requested);
      CREATE INDEX sessions_topic ON sessions(topic_id);
      CREATE INDEX sessions_transfer ON sessions(transfer_to) WHERE transfer_to IS NOT NULL;
    `,
  },
  { version: 4, name: "webhooks and their delivery outbox", sql: WEBHOOKS_MIGRATION },
  // Version 5 (SQLite only) dropped an index PostgreSQL never had.
  {
    version: 6,
    name: "webhook outbox of change sets, receiver state",
    sql: WEBHOOK_OUTBOX_MIGRATION,
  },
  {
    version: 7,
    name: "canonical usernames; user changes notified to every node",
    // The canonical form is computed in JavaScript (src/domain/username.ts), never by lower(),
    // which depends on the database's locale: lookup and uniqueness go by this column.
    sql: "ALTER TABLE users ADD COLUMN username_key text;",
    async after(client) {
      const { rows } = await client.query<{ id: number; username: string }>(
        "SELECT id, username FROM users ORDER BY id",
      );
      const keys = canonicalUsernames(rows);
      await client.query(
        `UPDATE users SET username_key = k.key
         FROM unnest($1::int[], $2::text[]) AS k(id, key) WHERE users.id = k.id`,
        [keys.map((k) => k.id), keys.map((k) => k.key)],
      );
      await client.query(`
        ALTER TABLE users ALTER COLUMN username_key SET NOT NULL;
        DROP INDEX users_username;
        CREATE UNIQUE INDEX users_username_key ON users (username_key);
        ${USER_CHANGE_TRIGGERS}`);
    },
  },
  { version: 8, name: "chat messages and the sessions' WhenIdle", sql: MESSAGES_MIGRATION },
  {
    version: 9,
    name: "agent capacity: chat limits per user and per topic",
    sql: `
      ALTER TABLE users ADD COLUMN max_chats integer NOT NULL DEFAULT 0 CHECK (max_chats >= 0);
      ALTER TABLE topics ADD COLUMN max_chats_per_agent integer NOT NULL DEFAULT 0
        CHECK (max_chats_per_agent >= 0);
    `,
  },
  {
    version: 10,
    name: "history rows carry their transaction id",
    // Readers find the rows committed since a snapshot through this (history.ts).
    sql: `
      ALTER TABLE presence_history ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
      CREATE INDEX presence_history_xid ON presence_history(xid);
    `,
  },
  {
    version: 11,
    name: "directory changes are noted, whoever makes them",
    // A trigger, not application code, so every writer is covered: nodes, the CLI, psql.
    // Presence saves and heartbeats write only present and present_until: they are not noted.
    sql: `
      CREATE TABLE directory_changes (
        id  bigserial PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        at  bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      );
      CREATE INDEX directory_changes_xid ON directory_changes(xid);
      CREATE INDEX directory_changes_at ON directory_changes(at);
      -- The newest xid purged: a position older than it may have missed a purged change.
      CREATE TABLE directory_changes_purged (xid xid8 NOT NULL);
      INSERT INTO directory_changes_purged VALUES ('0');
      CREATE FUNCTION note_directory_change() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
        BEGIN
          INSERT INTO directory_changes DEFAULT VALUES;
          RETURN NULL;
        END $$;
      CREATE TRIGGER users_noted
        AFTER INSERT OR DELETE OR UPDATE OF username, display_name, role ON users
        FOR EACH STATEMENT EXECUTE FUNCTION note_directory_change();
      CREATE TRIGGER topic_members_noted
        AFTER INSERT OR DELETE OR UPDATE ON topic_members
        FOR EACH STATEMENT EXECUTE FUNCTION note_directory_change();
    `,
  },
  {
    version: 12,
    name: "routing: settings, open offers, missed offers",
    sql: routingTables("bigint"),
  },
  {
    version: 13,
    name: "the routing event log; webhook event types",
    sql: ROUTING_EVENTS_MIGRATION,
  },
  {
    version: 14,
    name: "history without a per-user index",
    // As SQLite's version 5: every save writes a history row per changed user, and a
    // (user_id, id) index put each on a random leaf page: a fifth of the WAL records of a
    // save's insert. A per-user history query scans instead; such reads are rare next to saves.
    sql: "DROP INDEX presence_history_user;",
  },
  {
    version: 15,
    name: "session ids from a sequence",
    // max(id) + 1 would need a table lock on every create, which holds off every session update.
    // Import files still give ids: an import moves the sequence past them (directory.ts).
    sql: `
      CREATE SEQUENCE sessions_id_seq AS integer OWNED BY sessions.id;
      ALTER TABLE sessions ALTER COLUMN id SET DEFAULT nextval('sessions_id_seq');
      ${SESSION_SEQUENCE_PAST_IDS}
    `,
  },
];

/** Applies pending migrations; the advisory lock is keyed by schema, so schemas migrate independently. */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [`chat-presence:${schema}`]);
  try {
    // Under the lock too: two nodes creating the same schema at once can both miss it in the
    // catalog, and the second then fails on a unique index despite IF NOT EXISTS.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text)",
    );
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM schema_migrations",
    );
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await migration.after?.(client);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [`chat-presence:${schema}`]);
  }
}
