/** The PostgreSQL store, for several server nodes on one database. */
import { PresenceError } from "../../domain/errors.ts";
import type { ChatUser } from "../../domain/model.ts";
import { ONGOING_STATUSES } from "../../domain/model.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import { canonicalUsername } from "../../domain/username.ts";
import { compose } from "../compose.ts";
import { toUser, type UserRow } from "../rows/users.ts";
import type { SessionStore } from "../sessions.ts";
import type {
  DirectoryImport,
  ImportCounts,
  NewUser,
  PresenceChange,
  SavedPresence,
  SaveLog,
  Store,
  StoredCredential,
  UserPatch,
} from "../store.ts";
import type { TopicStore } from "../topics.ts";
import type { WebhookStore } from "../webhooks.ts";
import { PostgresBus, type PostgresBusOptions } from "./bus.ts";
import { connect, type PostgresOptions, transaction } from "./connection.ts";
import { PostgresHistory } from "./history.ts";
import { migrate } from "./migrations.ts";
import { PostgresSessions } from "./sessions.ts";
import { PostgresTopics } from "./topics.ts";
import { PostgresWebhooks } from "./webhooks.ts";

/** The store: the parts in this class, plus topics.ts and sessions.ts composed onto it. */
export type PostgresChatStore = PostgresStore & TopicStore & SessionStore & WebhookStore;

const ONGOING_SQL = ONGOING_STATUSES.map((s) => `'${s}'`).join(", ");

const PRESENCE_COLUMNS = `
  SELECT u.id AS "UserId", u.display_name AS "DisplayName", u.present AS "Present",
    (SELECT count(*)::int FROM sessions s
      WHERE s.user_id = u.id AND s.status IN (${ONGOING_SQL})) AS "OngoingChats",
    COALESCE((SELECT array_agg(m.topic_id ORDER BY m.topic_id) FROM topic_members m
      WHERE m.user_id = u.id AND (m.can_listen OR m.can_respond OR m.can_manage OR m.can_notify)),
      '{}') AS "ChatTopics"
  FROM users u`;

/** A duplicate username or id as a coded error; anything else unchanged. */
function uniqueViolation(error: unknown, username: string | undefined, id: number | undefined) {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== "23505") return error;
  if (constraint === "users_username_key" && username !== undefined) {
    return new PresenceError("PRES_ERR_USERNAME_TAKEN", { username });
  }
  return new PresenceError("PRES_ERR_CONFLICT", { detail: `UserId ${id} is taken` });
}

export async function openPostgresStore(options: PostgresOptions): Promise<PostgresChatStore> {
  const { pool, schema } = connect(options);
  try {
    const client = await pool.connect();
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    // A store that cannot open leaves no connections behind.
    await pool.end();
    throw error;
  }
  const store = new PostgresStore(pool, schema);
  return Object.assign(
    store,
    compose(new PostgresTopics(pool), new PostgresSessions(pool), new PostgresWebhooks(pool)),
  );
}

/** The store and the cross-node change bus over the same database. */
export async function openPostgresBackend(
  options: PostgresOptions & Omit<PostgresBusOptions, "url" | "schema" | "pool" | "history">,
) {
  const store = await openPostgresStore(options);
  const bus = await PostgresBus.start({
    ...options,
    schema: store.schema,
    pool: store.pool,
    history: store,
  });
  return { store, bus };
}

export class PostgresStore
  extends PostgresHistory
  implements Omit<Store, keyof TopicStore | keyof SessionStore | keyof WebhookStore>
{
  readonly backend = "postgres" as const;

  async close(): Promise<void> {
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.pool.query("SELECT NOT EXISTS (SELECT 1 FROM users) AS empty");
    return rows[0].empty;
  }

  async listPresence(): Promise<ChatPresence[]> {
    return (await this.pool.query<ChatPresence>(`${PRESENCE_COLUMNS} ORDER BY u.id`)).rows;
  }

  async presenceOf(userIds: readonly number[]): Promise<ChatPresence[]> {
    const sql = `${PRESENCE_COLUMNS} WHERE u.id = ANY($1::int[]) ORDER BY u.id`;
    return (await this.pool.query<ChatPresence>(sql, [userIds])).rows;
  }

  async existingUserIds(ids: readonly number[]): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ id: number }>(
      "SELECT id FROM users WHERE id = ANY($1::int[])",
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  async savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence> {
    return transaction(this.pool, async (client) => {
      const ids = updates.map((u) => u.userId);
      // Row locks, taken in id order so two saves over the same users cannot deadlock.
      const { rows } = await client.query<{ id: number; present: boolean }>(
        "SELECT id, present FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
        [ids],
      );
      const before = new Map(rows.map((r) => [r.id, r.present]));
      const changes: PresenceChange[] = [];
      updates.forEach((update, index) => {
        const previous = before.get(update.userId);
        if (previous === undefined)
          throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: update.userId });
        if (previous !== update.present) changes.push({ ...update, previousPresent: previous });
      });
      if (changes.length > 0) {
        await client.query(
          `UPDATE users SET present = v.present
           FROM unnest($1::int[], $2::boolean[]) AS v(id, present) WHERE users.id = v.id`,
          [changes.map((c) => c.userId), changes.map((c) => c.present)],
        );
      }
      if (!log) return { changes, events: [] };
      const presentIds = updates.filter((u) => u.present).map((u) => u.userId);
      await this.renewWith(client, presentIds, log.now, log.ttlSeconds);
      return { changes, events: await this.appendInTransaction(client, changes.map(log.describe)) };
    });
  }

  async getUser(id: number): Promise<ChatUser | null> {
    const { rows } = await this.pool.query<UserRow>("SELECT * FROM users WHERE id = $1", [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async getUserByUsername(username: string): Promise<ChatUser | null> {
    const { rows } = await this.pool.query<UserRow>("SELECT * FROM users WHERE username_key = $1", [
      canonicalUsername(username),
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(): Promise<ChatUser[]> {
    return (await this.pool.query<UserRow>("SELECT * FROM users ORDER BY id")).rows.map(toUser);
  }

  async createUser(user: NewUser): Promise<ChatUser> {
    return transaction(this.pool, async (client) => {
      // Ids come from import files too, so there is no sequence: the next id is taken under a lock.
      await client.query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
      const { rows } = await client.query<UserRow>(
        `INSERT INTO users (id, username, display_name, role, present, password_hash, username_key)
         VALUES (COALESCE($1, (SELECT COALESCE(max(id), 0) + 1 FROM users)), $2, $3, $4, $5, $6, $7)
         RETURNING *`,
        [
          user.id ?? null,
          user.username,
          user.displayName,
          user.role,
          user.present ?? false,
          user.passwordHash,
          canonicalUsername(user.username),
        ],
      );
      return toUser(rows[0]);
    }).catch((error) => {
      throw uniqueViolation(error, user.username, user.id);
    });
  }

  async updateUser(id: number, patch: UserPatch): Promise<ChatUser | null> {
    const { rows } = await this.pool
      .query<UserRow>(
        `UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role),
         password_hash = CASE WHEN $4::boolean THEN $5 ELSE password_hash END,
         username = COALESCE($6, username), username_key = COALESCE($9, username_key),
         presence_ttl = CASE WHEN $7::boolean THEN $8::int ELSE presence_ttl END
       WHERE id = $1 RETURNING *`,
        [
          id,
          patch.displayName ?? null,
          patch.role ?? null,
          "passwordHash" in patch,
          patch.passwordHash ?? null,
          patch.username ?? null,
          patch.presenceTtl !== undefined,
          patch.presenceTtl ?? null,
          patch.username === undefined ? null : canonicalUsername(patch.username),
        ],
      )
      .catch((error) => {
        throw uniqueViolation(error, patch.username, id);
      });
    return rows[0] ? toUser(rows[0]) : null;
  }

  async deleteUser(id: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      // Their chats must not linger as ongoing with nobody on them: back to the queue.
      await client.query(
        `UPDATE sessions SET status = 'InQueue', user_id = NULL, transfer_to = NULL,
           when_started = NULL
         WHERE user_id = $1 AND status IN (${ONGOING_SQL})`,
        [id],
      );
      return ((await client.query("DELETE FROM users WHERE id = $1", [id])).rowCount ?? 0) > 0;
    });
  }

  async importDirectory(d: DirectoryImport): Promise<ImportCounts> {
    await transaction(this.pool, async (client) => {
      const json = (rows: unknown[]) => JSON.stringify(rows);
      await client.query(
        `INSERT INTO users (id, username, display_name, role, present, password_hash, presence_ttl,
           username_key)
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS r(id int, username text, "displayName" text, role text, present boolean, "passwordHash" text,
                "presenceTtl" int, "usernameKey" text)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username,
           username_key = excluded.username_key, display_name = excluded.display_name,
           role = excluded.role, present = excluded.present,
           password_hash = COALESCE(excluded.password_hash, users.password_hash),
           presence_ttl = COALESCE(excluded.presence_ttl, users.presence_ttl)`,
        [
          json(
            d.users.map((u) => ({
              ...u,
              present: u.present ?? false,
              usernameKey: canonicalUsername(u.username),
            })),
          ),
        ],
      );
      await client.query(
        `INSERT INTO topics (id, name) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id int, name text)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
        [json(d.topics.map(({ id, name }) => ({ id, name })))],
      );
      // Topic details an import file leaves out keep their stored values (or the defaults).
      await client.query(
        `UPDATE topics t SET description = COALESCE(r.description, t.description),
           welcome_message = COALESCE(r."welcomeMessage", t.welcome_message),
           opening_hours_enabled = COALESCE(r."openingHoursEnabled", t.opening_hours_enabled),
           opening_hours = COALESCE(r."openingHours", t.opening_hours)
         FROM jsonb_to_recordset($1::jsonb) AS r(id int, description text, "welcomeMessage" text,
           "openingHoursEnabled" boolean, "openingHours" jsonb)
         WHERE t.id = r.id`,
        [json(d.topics)],
      );
      await client.query(
        `INSERT INTO topic_members (topic_id, user_id, can_listen, can_respond, can_manage, can_notify)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r("topicId" int, "userId" int, "canListen" boolean,
           "canRespond" boolean, "canManage" boolean, "canNotify" boolean)
         ON CONFLICT (topic_id, user_id) DO UPDATE SET can_listen = excluded.can_listen,
           can_respond = excluded.can_respond, can_manage = excluded.can_manage, can_notify = excluded.can_notify`,
        [json(d.members)],
      );
      await client.query(
        `INSERT INTO sessions (id, topic_id, user_id, status)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id int, "topicId" int, "userId" int, status text)
         ON CONFLICT (id) DO UPDATE SET topic_id = excluded.topic_id, user_id = excluded.user_id,
           status = excluded.status`,
        [json(d.sessions)],
      );
      await client.query(
        "INSERT INTO app_tokens (hash) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
        [d.appTokenHashes],
      );
    });
    return {
      users: d.users.length,
      topics: d.topics.length,
      members: d.members.length,
      sessions: d.sessions.length,
      appTokens: d.appTokenHashes.length,
    };
  }

  async saveCredential(c: StoredCredential): Promise<void> {
    await this.pool.query(
      "INSERT INTO credentials (hash, kind, user_id, expires_at, xsrf_hash) VALUES ($1, $2, $3, $4, $5)",
      [c.hash, c.kind, c.userId, c.expiresAt, c.xsrfHash],
    );
  }

  async findCredential(hash: string, now: number): Promise<StoredCredential | null> {
    const { rows } = await this.pool.query<StoredCredential>(
      `SELECT hash, kind, user_id AS "userId", expires_at AS "expiresAt", xsrf_hash AS "xsrfHash"
       FROM credentials WHERE hash = $1 AND expires_at > $2`,
      [hash, now],
    );
    return rows[0] ?? null;
  }

  async deleteCredential(hash: string): Promise<void> {
    await this.pool.query("DELETE FROM credentials WHERE hash = $1", [hash]);
  }

  async deleteCredentialsOf(userId: number): Promise<void> {
    await this.pool.query("DELETE FROM credentials WHERE user_id = $1", [userId]);
  }

  async hasAppToken(hash: string): Promise<boolean> {
    return (
      ((await this.pool.query("SELECT 1 FROM app_tokens WHERE hash = $1", [hash])).rowCount ?? 0) >
      0
    );
  }
}
