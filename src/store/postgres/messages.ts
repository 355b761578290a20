/**
 * PostgreSQL: chat messages (MessageStore). A post updates its session first, which locks the
 * session's row until commit; only then does the insert draw the next id. Two posts to one
 * session therefore commit in id order, so a reader paging with `after` never skips a message
 * that commits late, and LastMessage is always the newest message's text.
 */
import type pg from "pg";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatMessageRecord, MessageEffect, NewMessage } from "../../domain/message.ts";
import type { MessagePage, MessageStore, PostedMessage } from "../messages.ts";
import { type MessageRow, toMessage } from "../rows/messages.ts";
import { JOINED, JOINS, type SessionRow, toSession } from "../rows/sessions.ts";
import { transaction } from "./connection.ts";

export const MESSAGES_MIGRATION = `
  CREATE TABLE messages (
    id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id       integer NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    type             text NOT NULL,
    message          text NOT NULL DEFAULT '',
    author           text NOT NULL DEFAULT '',
    read_by_customer integer NOT NULL DEFAULT 0,
    special_type     text NOT NULL DEFAULT 'None',
    special_param    text NOT NULL DEFAULT '',
    when_posted      bigint NOT NULL
  );
  CREATE INDEX messages_session ON messages(session_id, id);
  ALTER TABLE sessions ADD COLUMN when_idle bigint;
`;

export class PostgresMessages implements MessageStore {
  constructor(private readonly pool: pg.Pool) {}

  async addMessage(
    message: NewMessage,
    effect: MessageEffect,
    maxPerSession: number,
  ): Promise<PostedMessage | null> {
    return transaction(this.pool, async (client) => {
      const touched = await client.query(
        `UPDATE sessions SET status = COALESCE($2::text, status),
           first_message = CASE WHEN first_message = '' AND $3::text IS NOT NULL
             THEN $3::text ELSE first_message END,
           last_message = COALESCE($4::text, last_message),
           when_idle = COALESCE($6::bigint, when_idle)
         WHERE id = $1 AND status = ANY($5::text[])`,
        [
          message.sessionId,
          effect.status ?? null,
          effect.firstMessage ?? null,
          effect.lastMessage ?? null,
          effect.statusIn,
          effect.whenIdle ?? null,
        ],
      );
      if (touched.rowCount === 0) return null;
      const { rows: counted } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM messages WHERE session_id = $1",
        [message.sessionId],
      );
      if (counted[0].n >= maxPerSession) {
        throw new PresenceError("PRES_ERR_MESSAGE_LIMIT", {
          sessionId: message.sessionId,
          limit: maxPerSession,
        });
      }
      const { rows } = await client.query<MessageRow>(
        `INSERT INTO messages (session_id, type, message, author, read_by_customer,
           special_type, special_param, when_posted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          message.sessionId,
          message.type,
          message.message,
          message.author,
          message.readByCustomer,
          message.specialType,
          message.specialParam,
          message.whenPosted,
        ],
      );
      const session = await client.query<SessionRow>(
        `SELECT ${JOINED} FROM sessions s ${JOINS} WHERE s.id = $1`,
        [message.sessionId],
      );
      return { message: toMessage(rows[0]), session: toSession(session.rows[0]) };
    });
  }

  async listMessages(sessionId: number, page: MessagePage): Promise<ChatMessageRecord[]> {
    const { rows } = await this.pool.query<MessageRow>(
      "SELECT * FROM messages WHERE session_id = $1 AND id > $2::bigint ORDER BY id LIMIT $3::int",
      [sessionId, page.after, page.limit],
    );
    return rows.map(toMessage);
  }
}
