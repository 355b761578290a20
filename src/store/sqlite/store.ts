/** The embedded store: better-sqlite3 in WAL mode. Synchronous under the hood, async at the edge. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatUser, Role } from "../../domain/model.ts";
import { ONGOING_STATUSES } from "../../domain/model.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type {
  DirectoryImport,
  ImportCounts,
  NewUser,
  PresenceChange,
  Store,
  StoredCredential,
  UserPatch,
} from "../store.ts";
import { SqliteHistory } from "./history.ts";
import { MIGRATIONS } from "./migrations.ts";

export interface SqliteOptions {
  /** A file path, or ":memory:". */
  path: string;
  /**
   * NORMAL (default): a commit is in the WAL before the call returns, so it survives a killed
   * process; FULL also fsyncs each commit, surviving power loss at a large cost in save rate.
   */
  synchronous?: "NORMAL" | "FULL";
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  present: number;
  password_hash: string | null;
}

const ONGOING_SQL = ONGOING_STATUSES.map((s) => `'${s}'`).join(", ");

const PRESENCE_COLUMNS = `
  SELECT u.id, u.display_name, u.present,
    (SELECT COUNT(*) FROM sessions s
      WHERE s.user_id = u.id AND s.status IN (${ONGOING_SQL})) AS ongoing,
    (SELECT group_concat(topic_id) FROM (
      SELECT m.topic_id FROM topic_members m
      WHERE m.user_id = u.id AND (m.can_listen OR m.can_respond OR m.can_manage OR m.can_notify)
      ORDER BY m.topic_id)) AS topics
  FROM users u`;

type PresenceRow = [number, string, number, number, string | null];

function toPresence([id, name, present, ongoing, topics]: PresenceRow): ChatPresence {
  return {
    UserId: id,
    DisplayName: name,
    OngoingChats: ongoing,
    Present: present === 1,
    ChatTopics: topics ? topics.split(",").map(Number) : [],
  };
}

export function openSqliteStore(options: SqliteOptions): Store {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
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
      db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(
        migration.version,
        migration.name,
      );
    }).immediate();
  }
}

function toUser(row: UserRow): ChatUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    present: row.present === 1,
    passwordHash: row.password_hash,
  };
}

/** History and heartbeat methods live in history.ts, inherited from SqliteHistory. */
class SqliteStore extends SqliteHistory implements Store {
  readonly backend = "sqlite" as const;
  private readonly statements;

  constructor(db: Database.Database) {
    super(db);
    this.statements = {
      presence: db.prepare(`${PRESENCE_COLUMNS} ORDER BY u.id`).raw(),
      presenceOf: db
        .prepare(`${PRESENCE_COLUMNS} WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.id`)
        .raw(),
      userById: db.prepare("SELECT * FROM users WHERE id = ?"),
      userByName: db.prepare("SELECT * FROM users WHERE username = ?"),
      present: db.prepare("SELECT present FROM users WHERE id = ?").pluck(),
      setPresent: db.prepare("UPDATE users SET present = ? WHERE id = ?"),
      findCredential: db.prepare("SELECT * FROM credentials WHERE hash = ? AND expires_at > ?"),
      appToken: db.prepare("SELECT 1 FROM app_tokens WHERE hash = ?").pluck(),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async isEmpty(): Promise<boolean> {
    return this.db.prepare("SELECT COUNT(*) FROM users").pluck().get() === 0;
  }

  async listPresence(): Promise<ChatPresence[]> {
    return (this.statements.presence.all() as PresenceRow[]).map(toPresence);
  }

  async presenceOf(userIds: readonly number[]): Promise<ChatPresence[]> {
    return (this.statements.presenceOf.all(JSON.stringify(userIds)) as PresenceRow[]).map(
      toPresence,
    );
  }

  async existingUserIds(ids: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (const id of new Set(ids)) if (this.statements.userById.get(id)) found.add(id);
    return found;
  }

  async savePresence(updates: readonly PresenceUpdate[]): Promise<PresenceChange[]> {
    const { present, setPresent } = this.statements;
    return this.db
      .transaction(() => {
        const changes: PresenceChange[] = [];
        updates.forEach((update, index) => {
          const before = present.get(update.userId) as number | undefined;
          if (before === undefined) {
            throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: update.userId });
          }
          if ((before === 1) === update.present) return;
          setPresent.run(update.present ? 1 : 0, update.userId);
          changes.push({ ...update, previousPresent: before === 1 });
        });
        return changes;
      })
      .immediate();
  }

  async getUser(id: number): Promise<ChatUser | null> {
    const row = this.statements.userById.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async getUserByUsername(username: string): Promise<ChatUser | null> {
    const row = this.statements.userByName.get(username) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<ChatUser[]> {
    const rows = this.db.prepare("SELECT * FROM users ORDER BY id").all() as UserRow[];
    return rows.map(toUser);
  }

  async createUser(user: NewUser): Promise<ChatUser> {
    const info = this.db
      .prepare(
        `INSERT INTO users (id, username, display_name, role, present, password_hash)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        user.id ?? null,
        user.username,
        user.displayName,
        user.role,
        user.present ? 1 : 0,
        user.passwordHash,
      );
    return (await this.getUser(Number(info.lastInsertRowid))) as ChatUser;
  }

  async updateUser(id: number, patch: UserPatch): Promise<ChatUser | null> {
    const columns: Record<keyof UserPatch, string> = {
      displayName: "display_name",
      role: "role",
      passwordHash: "password_hash",
      username: "username",
    };
    const keys = (Object.keys(patch) as (keyof UserPatch)[]).filter((k) => patch[k] !== undefined);
    if (keys.length > 0) {
      const sets = keys.map((k) => `${columns[k]} = @${k}`).join(", ");
      this.db.prepare(`UPDATE users SET ${sets} WHERE id = @id`).run({ ...patch, id });
    }
    return this.getUser(id);
  }

  async deleteUser(id: number): Promise<boolean> {
    return this.db.prepare("DELETE FROM users WHERE id = ?").run(id).changes > 0;
  }

  async importDirectory(directory: DirectoryImport): Promise<ImportCounts> {
    const db = this.db;
    const upsertUser = db.prepare(
      `INSERT INTO users (id, username, display_name, role, present, password_hash)
       VALUES (@id, @username, @displayName, @role, @present, @passwordHash)
       ON CONFLICT(id) DO UPDATE SET username = excluded.username,
         display_name = excluded.display_name, role = excluded.role, present = excluded.present,
         password_hash = COALESCE(excluded.password_hash, users.password_hash)`,
    );
    const upsertTopic = db.prepare(
      "INSERT INTO topics (id, name) VALUES (@id, @name) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
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
    db.transaction(() => {
      for (const u of directory.users) upsertUser.run({ ...u, present: u.present ? 1 : 0 });
      for (const t of directory.topics) upsertTopic.run(t);
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

  async saveCredential(c: StoredCredential): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO credentials (hash, kind, user_id, expires_at, xsrf_hash) VALUES (?, ?, ?, ?, ?)",
      )
      .run(c.hash, c.kind, c.userId, c.expiresAt, c.xsrfHash);
  }

  async findCredential(hash: string, now: number): Promise<StoredCredential | null> {
    const row = this.statements.findCredential.get(hash, now) as
      | {
          hash: string;
          kind: StoredCredential["kind"];
          user_id: number;
          expires_at: number;
          xsrf_hash: string | null;
        }
      | undefined;
    if (!row) return null;
    return {
      hash: row.hash,
      kind: row.kind,
      userId: row.user_id,
      expiresAt: row.expires_at,
      xsrfHash: row.xsrf_hash,
    };
  }

  async deleteCredential(hash: string): Promise<void> {
    this.db.prepare("DELETE FROM credentials WHERE hash = ?").run(hash);
  }

  async hasAppToken(hash: string): Promise<boolean> {
    return this.statements.appToken.get(hash) === 1;
  }
}
