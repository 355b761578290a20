/** SQLite: chat users and the import of a whole directory (DirectoryStore). */
import type Database from "better-sqlite3";
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

/** A duplicate username or id as a coded error; anything else unchanged. */
function constraintError(error: unknown, username: string | undefined, id: number | undefined) {
  const code = (error as { code?: string }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" && username !== undefined) {
    return new PresenceError("PRES_ERR_USERNAME_TAKEN", { username });
  }
  if (code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new PresenceError("PRES_ERR_CONFLICT", { detail: `UserId ${id} is taken` });
  }
  return error;
}

export class SqliteDirectory implements DirectoryStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      byId: db.prepare("SELECT * FROM users WHERE id = ?"),
      byName: db.prepare("SELECT * FROM users WHERE username_key = ?"),
      all: db.prepare("SELECT * FROM users ORDER BY id"),
      insert: db.prepare(
        `INSERT INTO users (id, username, username_key, display_name, role, present, password_hash,
           max_chats)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      requeue: db.prepare(
        `UPDATE sessions SET status = 'InQueue', user_id = NULL, transfer_to = NULL,
           when_started = NULL
         WHERE user_id = ? AND status IN (${ONGOING_SQL})`,
      ),
      delete: db.prepare("DELETE FROM users WHERE id = ?"),
    };
  }

  async getUser(id: number): Promise<ChatUser | null> {
    const row = this.statements.byId.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async getUserByUsername(username: string): Promise<ChatUser | null> {
    const row = this.statements.byName.get(canonicalUsername(username)) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<ChatUser[]> {
    return (this.statements.all.all() as UserRow[]).map(toUser);
  }

  async createUser(user: NewUser): Promise<ChatUser> {
    try {
      const row = this.statements.insert.get(
        user.id ?? null,
        user.username,
        canonicalUsername(user.username),
        user.displayName,
        user.role,
        user.present ? 1 : 0,
        user.passwordHash,
        user.maxChats ?? 0,
      ) as UserRow;
      return toUser(row);
    } catch (error) {
      throw constraintError(error, user.username, user.id);
    }
  }

  async updateUser(id: number, patch: UserPatch): Promise<ChatUser | null> {
    const columns: Record<keyof UserPatch, string> = {
      displayName: "display_name",
      role: "role",
      passwordHash: "password_hash",
      username: "username",
      presenceTtl: "presence_ttl",
      maxChats: "max_chats",
    };
    const keys = (Object.keys(patch) as (keyof UserPatch)[]).filter((k) => patch[k] !== undefined);
    if (keys.length > 0) {
      const sets = keys.map((k) => `${columns[k]} = @${k}`);
      const usernameKey = patch.username === undefined ? null : canonicalUsername(patch.username);
      if (usernameKey !== null) sets.push("username_key = @usernameKey");
      try {
        this.db
          .prepare(`UPDATE users SET ${sets.join(", ")} WHERE id = @id`)
          .run({ ...patch, usernameKey, id });
      } catch (error) {
        throw constraintError(error, patch.username, id);
      }
    }
    return this.getUser(id);
  }

  async deleteUser(id: number): Promise<boolean> {
    const { requeue, delete: remove } = this.statements;
    return this.db
      .transaction(() => {
        // Their chats must not linger as ongoing with nobody on them: back to the queue.
        requeue.run(id);
        return remove.run(id).changes > 0;
      })
      .immediate();
  }

  async importDirectory(directory: DirectoryImport): Promise<ImportCounts> {
    const db = this.db;
    const upsertUser = db.prepare(
      `INSERT INTO users (id, username, username_key, display_name, role, present, password_hash,
         presence_ttl, max_chats)
       VALUES (@id, @username, @usernameKey, @displayName, @role, @present, @passwordHash,
         @presenceTtl, COALESCE(@maxChats, 0))
       ON CONFLICT(id) DO UPDATE SET username = excluded.username,
         username_key = excluded.username_key,
         display_name = excluded.display_name, role = excluded.role, present = excluded.present,
         password_hash = COALESCE(excluded.password_hash, users.password_hash),
         presence_ttl = COALESCE(excluded.presence_ttl, users.presence_ttl),
         max_chats = COALESCE(@maxChats, users.max_chats)`,
    );
    // Fields an import file leaves out keep their stored values (or the column defaults).
    const upsertTopic = db.prepare(
      `INSERT INTO topics (id, name, description, welcome_message, opening_hours_enabled, opening_hours,
         max_chats_per_agent)
       VALUES (@id, @name, COALESCE(@description, ''), COALESCE(@welcomeMessage, ''),
         COALESCE(@openingHoursEnabled, 0), @openingHours, COALESCE(@maxChatsPerAgent, 0))
       ON CONFLICT(id) DO UPDATE SET name = excluded.name,
         description = COALESCE(@description, topics.description),
         welcome_message = COALESCE(@welcomeMessage, topics.welcome_message),
         opening_hours_enabled = COALESCE(@openingHoursEnabled, topics.opening_hours_enabled),
         opening_hours = COALESCE(@openingHours, topics.opening_hours),
         max_chats_per_agent = COALESCE(@maxChatsPerAgent, topics.max_chats_per_agent)`,
    );
    const upsertMember = db.prepare(
      `INSERT INTO topic_members (topic_id, user_id, can_listen, can_respond, can_manage, can_notify)
       VALUES (@topicId, @userId, @canListen, @canRespond, @canManage, @canNotify)
       ON CONFLICT(topic_id, user_id) DO UPDATE SET can_listen = excluded.can_listen,
         can_respond = excluded.can_respond, can_manage = excluded.can_manage,
         can_notify = excluded.can_notify`,
    );
    const upsertSession = db.prepare(
      `INSERT INTO sessions (id, topic_id, user_id, status) VALUES (@id, @topicId, @userId, @status)
       ON CONFLICT(id) DO UPDATE SET topic_id = excluded.topic_id, user_id = excluded.user_id,
         status = excluded.status`,
    );
    const addAppToken = db.prepare("INSERT OR IGNORE INTO app_tokens (hash) VALUES (?)");
    const flags = (m: DirectoryImport["members"][number]) => ({
      ...m,
      canListen: +m.canListen,
      canRespond: +m.canRespond,
      canManage: +m.canManage,
      canNotify: +m.canNotify,
    });
    const topicRow = (t: DirectoryImport["topics"][number]) => ({
      id: t.id,
      name: t.name,
      description: t.description ?? null,
      welcomeMessage: t.welcomeMessage ?? null,
      openingHoursEnabled: t.openingHoursEnabled === undefined ? null : +t.openingHoursEnabled,
      openingHours: t.openingHours ? JSON.stringify(t.openingHours) : null,
      maxChatsPerAgent: t.maxChatsPerAgent ?? null,
    });
    db.transaction(() => {
      for (const u of directory.users) {
        upsertUser.run({
          ...u,
          usernameKey: canonicalUsername(u.username),
          present: u.present ? 1 : 0,
          presenceTtl: u.presenceTtl ?? null,
          maxChats: u.maxChats ?? null,
        });
      }
      for (const t of directory.topics) upsertTopic.run(topicRow(t));
      for (const m of directory.members) upsertMember.run(flags(m));
      for (const s of directory.sessions) upsertSession.run(s);
      for (const h of directory.appTokenHashes) addAppToken.run(h);
    }).immediate();
    return {
      users: directory.users.length,
      topics: directory.topics.length,
      members: directory.members.length,
      sessions: directory.sessions.length,
      appTokens: directory.appTokenHashes.length,
    };
  }
}
