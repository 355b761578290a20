/** SQLite: presence computed from the directory, and saving Present (PresenceStore). */
import type Database from "better-sqlite3";
import { PresenceError } from "../../domain/errors.ts";
import { ONGOING_STATUSES } from "../../domain/model.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceChange, PresenceStore } from "../store.ts";

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

export class SqlitePresence implements PresenceStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      presence: db.prepare(`${PRESENCE_COLUMNS} ORDER BY u.id`).raw(),
      presenceOf: db
        .prepare(`${PRESENCE_COLUMNS} WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.id`)
        .raw(),
      existing: db
        .prepare("SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))")
        .pluck(),
      present: db.prepare("SELECT present FROM users WHERE id = ?").pluck(),
      setPresent: db.prepare("UPDATE users SET present = ? WHERE id = ?"),
    };
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
    // One statement for the whole list: a query per id cost more than the save itself.
    return new Set(this.statements.existing.all(JSON.stringify(ids)) as number[]);
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
}
