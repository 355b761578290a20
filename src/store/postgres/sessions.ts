/**
 * PostgreSQL: chat sessions (SessionStore). A guarded change is one UPDATE … WHERE: under READ
 * COMMITTED a second writer waits for the first and then re-checks the WHERE against the new
 * row, so only one of two racing pick-ups changes a row. The first-in-queue pick-up skips rows
 * another transaction has locked, so concurrent pickers take different sessions. A change that
 * gives a chat to a user under their limits first locks that user's row (guardedUpdate).
 */
import type pg from "pg";
import { PresenceError } from "../../domain/errors.ts";
import {
  type ChatSessionRecord,
  type GuardedChange,
  type NewSession,
  pickUp,
  type SessionChanges,
  type SessionCondition,
} from "../../domain/session.ts";
import { OFFER_COLUMNS, type OfferRow, toOffer } from "../rows/routing.ts";
import {
  changedColumns,
  JOINED,
  JOINS,
  type SessionRow,
  toSession,
  withinCapacity,
} from "../rows/sessions.ts";
import { ANY_RIGHT } from "../rows/topics.ts";
import type { DeletedSession, SessionFilter, SessionStore } from "../sessions.ts";
import { transaction } from "./connection.ts";

/**
 * Moves the session id sequence past every stored id (never back): the next create gets
 * max(id) + 1 or the sequence's own next value, whichever is greater. Run where no create can
 * take a value meanwhile (under a lock that holds off inserts into sessions, or in a migration).
 */
export const SESSION_SEQUENCE_PAST_IDS = `SELECT setval('sessions_id_seq',
  GREATEST((SELECT COALESCE(max(id), 0) + 1 FROM sessions), nextval('sessions_id_seq')), false);`;

/** Collects positional parameters for one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function setClauses(changes: SessionChanges, params: Params): string[] {
  const sets = changedColumns(changes).map(
    ({ column, value, type }) => `${column} = ${params.add(value, type)}`,
  );
  if (sets.length === 0) sets.push("id = s.id");
  return sets;
}

function whereClauses(condition: SessionCondition, params: Params): string[] {
  const where: string[] = [];
  if (condition.statusIn) where.push(`s.status = ANY(${params.add(condition.statusIn, "text[]")})`);
  if (condition.userId !== undefined) {
    where.push(`s.user_id IS NOT DISTINCT FROM ${params.add(condition.userId, "int")}`);
  }
  if (condition.transferToId !== undefined) {
    where.push(`s.transfer_to IS NOT DISTINCT FROM ${params.add(condition.transferToId, "int")}`);
  }
  if (condition.capacityFor !== undefined) {
    where.push(withinCapacity(params.add(condition.capacityFor, "int"), "s.topic_id"));
  }
  return where;
}

/** Queued sessions `q` in these topics (null: any topic). */
function queuedInTopics(params: Params, topicIds: readonly number[] | null): string {
  const topics = params.add(topicIds, "int[]");
  return `q.status = 'InQueue' AND (${topics} IS NULL OR q.topic_id = ANY(${topics}))`;
}

function isForeignKeyError(error: unknown): boolean {
  return (error as { code?: string }).code === "23503";
}

/** WITH [before] changed AS (UPDATE … WHERE target AND guard RETURNING *) SELECT joined. */
export function guardedSql(
  before: string,
  target: string,
  params: Params,
  { condition, changes }: GuardedChange,
): string {
  const sets = setClauses(changes, params);
  const where = [target, ...whereClauses(condition, params)];
  return `WITH ${before} changed AS (
      UPDATE sessions s SET ${sets.join(", ")} WHERE ${where.join(" AND ")} RETURNING s.*)
    SELECT ${JOINED} FROM changed s ${JOINS}`;
}

/**
 * Queues a change that gives a chat to `userId` behind every other such change: a statement's
 * snapshot would miss chats another transaction gives the same user meanwhile, so two could
 * each count one free place. The count, in a statement begun after the lock, sees every
 * assignment committed before.
 */
export async function lockTaker(client: pg.PoolClient, userId: number): Promise<void> {
  await client.query("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", [userId]);
}

export class PostgresSessions implements SessionStore {
  constructor(private readonly pool: pg.Pool) {}

  async listSessions(filter: SessionFilter): Promise<ChatSessionRecord[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${JOINED} FROM sessions s ${JOINS}
       WHERE ($1::int IS NULL OR s.topic_id = $1)
         AND ($2::int IS NULL OR s.user_id = $2 OR s.transfer_to = $2
           OR s.topic_id IN (SELECT m.topic_id FROM topic_members m
             WHERE m.user_id = $2 AND ${ANY_RIGHT}))
       ORDER BY s.id`,
      [filter.topicId ?? null, filter.visibleTo ?? null],
    );
    return rows.map(toSession);
  }

  async getSession(id: number): Promise<ChatSessionRecord | null> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${JOINED} FROM sessions s ${JOINS} WHERE s.id = $1`,
      [id],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  /**
   * Ids come from the sessions' sequence, so creates wait neither on each other nor on session
   * updates. A queued session's InitialQueuePos is 1 + the sessions InQueue in its topic as
   * the insert's statement saw them: every queued session committed before it began. Created
   * one after another, sessions get consecutive places; created at the same time in one topic,
   * two that do not see each other's uncommitted insert may get the same place, each the true
   * count of those already waiting when it was queued (a place shared, never one too far on).
   */
  async createSession(session: NewSession): Promise<ChatSessionRecord> {
    const id = await transaction(this.pool, async (client) => {
      const topic = await client.query("SELECT 1 FROM topics WHERE id = $1 FOR KEY SHARE", [
        session.topicId,
      ]);
      if (topic.rowCount === 0) {
        throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: session.topicId });
      }
      const c = session.customer;
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO sessions (topic_id, status, customer_alias, customer_name, customer_email,
           customer_phone, customer_company_name, customer_host, customer_consented,
           first_message, last_message, rating, chatbot_active, when_requested, initial_queue_pos)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
           CASE WHEN $2 = 'InQueue' THEN
             (SELECT count(*) + 1 FROM sessions WHERE topic_id = $1 AND status = 'InQueue')
           ELSE 0 END
         RETURNING id`,
        [
          session.topicId,
          session.status,
          c.alias,
          c.name,
          c.email,
          c.phone,
          c.companyName,
          c.host,
          c.consented,
          session.firstMessage,
          session.lastMessage,
          session.rating,
          session.chatbotIsActive,
          session.whenRequested,
        ],
      );
      return rows[0].id;
    });
    return (await this.getSession(id)) as ChatSessionRecord;
  }

  async updateSessionIf(id: number, change: GuardedChange): Promise<ChatSessionRecord | null> {
    const params = new Params();
    const target = `s.id = ${params.add(id, "int")}`;
    return this.guardedUpdate("", target, params, change);
  }

  async pickUpFirstSession(
    userId: number,
    topicIds: readonly number[] | null,
    now: number,
  ): Promise<ChatSessionRecord | null> {
    const params = new Params();
    // Topics where the user has no room left are passed over for the next oldest session.
    const pick = `pick AS (SELECT q.id FROM sessions q WHERE ${queuedInTopics(params, topicIds)}
        AND ${withinCapacity(params.add(userId, "int"), "q.topic_id")}
      ORDER BY COALESCE(q.when_requested, 0), q.id LIMIT 1 FOR UPDATE SKIP LOCKED),`;
    return this.guardedUpdate(pick, "s.id = (SELECT id FROM pick)", params, pickUp(userId, now));
  }

  async waitingBeyondCapacity(
    userId: number,
    topicIds: readonly number[] | null,
  ): Promise<boolean> {
    const params = new Params();
    const { rows } = await this.pool.query<{ beyond: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM sessions q WHERE ${queuedInTopics(params, topicIds)}
         AND NOT (${withinCapacity(params.add(userId, "int"), "q.topic_id")})) AS beyond`,
      params.values,
    );
    return rows[0].beyond;
  }

  async deleteSession(id: number): Promise<DeletedSession | null> {
    // The offer is deleted by the statement itself, before the cascade would, to return it.
    const { rows } = await this.pool.query<SessionRow & { offer: OfferRow | null }>(
      `WITH offer AS (DELETE FROM routing_offers WHERE session_id = $1 RETURNING ${OFFER_COLUMNS}),
         gone AS (DELETE FROM sessions WHERE id = $1 RETURNING *)
       SELECT s.*, u.username AS u_username, u.display_name AS u_display,
         x.username AS x_username, x.display_name AS x_display,
         (SELECT row_to_json(offer) FROM offer) AS offer
       FROM gone s ${JOINS}`,
      [id],
    );
    if (!rows[0]) return null;
    const { offer } = rows[0];
    return { ...toSession(rows[0]), endedOffer: offer ? toOffer(offer) : null };
  }

  private async guardedUpdate(
    before: string,
    target: string,
    params: Params,
    { condition, changes }: GuardedChange,
  ): Promise<ChatSessionRecord | null> {
    const sql = guardedSql(before, target, params, { condition, changes });
    const run = (client: pg.Pool | pg.PoolClient) => client.query<SessionRow>(sql, params.values);
    const taker = condition.capacityFor;
    try {
      const { rows } =
        taker === undefined
          ? await run(this.pool)
          : await transaction(this.pool, async (client) => {
              await lockTaker(client, taker);
              return run(client);
            });
      return rows[0] ? toSession(rows[0]) : null;
    } catch (error) {
      if (isForeignKeyError(error)) {
        throw new PresenceError("PRES_ERR_NO_USER", {
          user: String(changes.transferToId ?? changes.userId ?? ""),
        });
      }
      throw error;
    }
  }
}
