/** PostgreSQL: chat users and the import of a whole directory (DirectoryStore). */
import type pg from "pg";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatUser } from "../../domain/model.ts";
import { canonicalUsername } from "../../domain/username.ts";
import type {
  DirectoryImport,
  DirectoryStore,
  ImportCounts,
  NewUser,
  UserPatch,
} from "../directory.ts";
import { ONGOING_SQL } from "../rows/sessions.ts";
import { toUser, type UserRow } from "../rows/users.ts";
import { transaction } from "./connection.ts";
import { SESSION_SEQUENCE_PAST_IDS } from "./sessions.ts";

/** A duplicate username or id as a coded error; anything else unchanged. */
function uniqueViolation(error: unknown, username: string | undefined, id: number | undefined) {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== "23505") return error;
  if (constraint === "users_username_key" && username !== undefined) {
    return new PresenceError("PRES_ERR_USERNAME_TAKEN", { username });
  }
  return new PresenceError("PRES_ERR_CONFLICT", { detail: `UserId ${id} is taken` });
}

export class PostgresDirectory implements DirectoryStore {
  constructor(private readonly pool: pg.Pool) {}

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
        `INSERT INTO users (id, username, display_name, role, present, password_hash, username_key,
           max_chats)
         VALUES (COALESCE($1, (SELECT COALESCE(max(id), 0) + 1 FROM users)), $2, $3, $4, $5, $6, $7,
           $8) RETURNING *`,
        [
          user.id ?? null,
          user.username,
          user.displayName,
          user.role,
          user.present ?? false,
          user.passwordHash,
          canonicalUsername(user.username),
          user.maxChats ?? 0,
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
         presence_ttl = CASE WHEN $7::boolean THEN $8::int ELSE presence_ttl END,
         max_chats = COALESCE($10::int, max_chats)
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
          patch.maxChats ?? null,
        ],
      )
      .catch((error) => {
        throw uniqueViolation(error, patch.username, id);
      });
    return rows[0] ? toUser(rows[0]) : null;
  }

  async deleteUser(id: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      // The user row first, as an assignment locks it (sessions.ts): the same order, no deadlock.
      await client.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [id]);
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
      // A limit the file leaves out keeps its stored value (0 for a new user).
      await client.query(
        `UPDATE users u SET max_chats = r."maxChats"
         FROM jsonb_to_recordset($1::jsonb) AS r(id int, "maxChats" int)
         WHERE u.id = r.id AND r."maxChats" IS NOT NULL`,
        [json(d.users.map(({ id, maxChats }) => ({ id, maxChats })))],
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
           opening_hours = COALESCE(r."openingHours", t.opening_hours),
           max_chats_per_agent = COALESCE(r."maxChatsPerAgent", t.max_chats_per_agent)
         FROM jsonb_to_recordset($1::jsonb) AS r(id int, description text, "welcomeMessage" text,
           "openingHoursEnabled" boolean, "openingHours" jsonb, "maxChatsPerAgent" int)
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
      // Held off till commit, so no create takes a sequence value between the inserts and the
      // move below; taken after the topics' updates, in the order a create locks (topic, then
      // sessions), so the two cannot deadlock.
      await client.query("LOCK TABLE sessions IN SHARE ROW EXCLUSIVE MODE");
      await client.query(
        `INSERT INTO sessions (id, topic_id, user_id, status)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id int, "topicId" int, "userId" int, status text)
         ON CONFLICT (id) DO UPDATE SET topic_id = excluded.topic_id, user_id = excluded.user_id,
           status = excluded.status`,
        [json(d.sessions)],
      );
      await client.query(SESSION_SEQUENCE_PAST_IDS);
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
}
