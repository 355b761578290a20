/**
 * SQLite: chat messages (MessageStore). A post is one IMMEDIATE transaction: the session's
 * guarded update, the count against the limit, and the insert, so concurrent posts queue up
 * and each sees the one before it.
 */
import type Database from "better-sqlite3";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatMessageRecord, MessageEffect, NewMessage } from "../../domain/message.ts";
import type { MessagePage, MessageStore, PostedMessage } from "../messages.ts";
import { type MessageRow, toMessage } from "../rows/messages.ts";
import { JOINED, JOINS, type SessionRow, toSession } from "../rows/sessions.ts";

/**
 * AUTOINCREMENT: an id is never given twice, even after the newest messages were deleted with
 * their session, so a client holding an id as `after` can never be handed someone else's.
 */
export const MESSAGES_MIGRATION = `
  CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    type             TEXT NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    author           TEXT NOT NULL DEFAULT '',
    read_by_customer INTEGER NOT NULL DEFAULT 0,
    special_type     TEXT NOT NULL DEFAULT 'None',
    special_param    TEXT NOT NULL DEFAULT '',
    when_posted      INTEGER NOT NULL
  );
  CREATE INDEX messages_session ON messages(session_id, id);
  ALTER TABLE sessions ADD COLUMN when_idle INTEGER;
`;

export class SqliteMessages implements MessageStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      touch: db.prepare(
        `UPDATE sessions SET status = COALESCE(@status, status),
           first_message = CASE WHEN first_message = '' AND @first IS NOT NULL
             THEN @first ELSE first_message END,
           last_message = COALESCE(@last, last_message),
           when_idle = COALESCE(@idle, when_idle)
         WHERE id = @id AND status IN (SELECT value FROM json_each(@statusIn))
         RETURNING id`,
      ),
      count: db.prepare("SELECT COUNT(*) FROM messages WHERE session_id = ?").pluck(),
      insert: db.prepare(
        `INSERT INTO messages (session_id, type, message, author, read_by_customer,
           special_type, special_param, when_posted)
         VALUES (@sessionId, @type, @message, @author, @readByCustomer, @specialType,
           @specialParam, @whenPosted)
         RETURNING *`,
      ),
      session: db.prepare(`SELECT ${JOINED} FROM sessions s ${JOINS} WHERE s.id = ?`),
      page: db.prepare(
        "SELECT * FROM messages WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?",
      ),
    };
  }

  async addMessage(
    message: NewMessage,
    effect: MessageEffect,
    maxPerSession: number,
  ): Promise<PostedMessage | null> {
    const { touch, count, insert, session } = this.statements;
    return this.db
      .transaction((): PostedMessage | null => {
        const touched = touch.get({
          id: message.sessionId,
          status: effect.status ?? null,
          first: effect.firstMessage ?? null,
          last: effect.lastMessage ?? null,
          idle: effect.whenIdle ?? null,
          statusIn: JSON.stringify(effect.statusIn),
        });
        if (!touched) return null;
        if ((count.get(message.sessionId) as number) >= maxPerSession) {
          throw new PresenceError("PRES_ERR_MESSAGE_LIMIT", {
            sessionId: message.sessionId,
            limit: maxPerSession,
          });
        }
        const row = insert.get(message) as MessageRow;
        const after = session.get(message.sessionId) as SessionRow;
        return { message: toMessage(row), session: toSession(after) };
      })
      .immediate();
  }

  async listMessages(sessionId: number, page: MessagePage): Promise<ChatMessageRecord[]> {
    const rows = this.statements.page.all(sessionId, page.after, page.limit) as MessageRow[];
    return rows.map(toMessage);
  }
}
