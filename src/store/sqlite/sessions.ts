/**
 * SQLite: chat sessions (SessionStore). Every change is a single UPDATE … WHERE carrying the
 * guard of a domain GuardedChange, so a lost race shows as zero rows changed.
 */
import type Database from "better-sqlite3";
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

/** The joined session rows; routing reads the session it assigns with it too. */
export const SESSION_SELECT = `SELECT ${JOINED} FROM sessions s ${JOINS}`;
const SELECT = SESSION_SELECT;

type Params = Record<string, string | number | null>;

/** Queued sessions `q` in the topics @topics, or in any topic when @anyTopic. */
const QUEUED_IN_TOPICS = `q.status = 'InQueue'
  AND (@anyTopic OR q.topic_id IN (SELECT value FROM json_each(@topics)))`;

function topicParams(topicIds: readonly number[] | null): Params {
  return { anyTopic: topicIds === null ? 1 : 0, topics: JSON.stringify(topicIds ?? []) };
}

/** SET clauses and their parameters for the defined fields of a change. */
function setClauses(changes: SessionChanges, params: Params): string[] {
  const sets = changedColumns(changes).map(({ column, value }) => {
    params[`set_${column}`] = typeof value === "boolean" ? Number(value) : value;
    return `${column} = @set_${column}`;
  });
  if (sets.length === 0) sets.push("id = id");
  return sets;
}

function whereClauses(condition: SessionCondition, params: Params): string[] {
  const where: string[] = [];
  if (condition.statusIn) {
    params.if_status = JSON.stringify(condition.statusIn);
    where.push("status IN (SELECT value FROM json_each(@if_status))");
  }
  if (condition.userId !== undefined) {
    params.if_user = condition.userId;
    where.push("user_id IS @if_user");
  }
  if (condition.transferToId !== undefined) {
    params.if_transfer = condition.transferToId;
    where.push("transfer_to IS @if_transfer");
  }
  if (condition.capacityFor !== undefined) {
    params.if_capacity = condition.capacityFor;
    where.push(withinCapacity("@if_capacity", "sessions.topic_id"));
  }
  return where;
}

function isForeignKeyError(error: unknown): boolean {
  return (error as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

export class SqliteSessions implements SessionStore {
  private readonly statements;
  /** Guarded updates differ only in which fields they touch: one prepared statement per shape. */
  private readonly updates = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.statements = {
      byId: db.prepare(`${SELECT} WHERE s.id = ?`),
      list: db.prepare(
        `${SELECT} WHERE (@topicId IS NULL OR s.topic_id = @topicId)
           AND (@visibleTo IS NULL OR s.user_id = @visibleTo OR s.transfer_to = @visibleTo
             OR s.topic_id IN (SELECT m.topic_id FROM topic_members m
               WHERE m.user_id = @visibleTo AND ${ANY_RIGHT}))
         ORDER BY s.id`,
      ),
      topicExists: db.prepare("SELECT 1 FROM topics WHERE id = ?").pluck(),
      insert: db.prepare(
        `INSERT INTO sessions (topic_id, status, customer_alias, customer_name, customer_email,
           customer_phone, customer_company_name, customer_host, customer_consented,
           first_message, last_message, rating, chatbot_active, when_requested, initial_queue_pos)
         SELECT @topicId, @status, @alias, @name, @email, @phone, @companyName, @host, @consented,
           @firstMessage, @lastMessage, @rating, @chatbotIsActive, @whenRequested,
           CASE WHEN @status = 'InQueue' THEN
             (SELECT COUNT(*) + 1 FROM sessions WHERE topic_id = @topicId AND status = 'InQueue')
           ELSE 0 END
         RETURNING id`,
      ),
      delete: db.prepare("DELETE FROM sessions WHERE id = ?"),
      endOffer: db.prepare(
        `DELETE FROM routing_offers WHERE session_id = ? RETURNING ${OFFER_COLUMNS}`,
      ),
      beyondCapacity: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM sessions q WHERE ${QUEUED_IN_TOPICS}
             AND NOT (${withinCapacity("@picker", "q.topic_id")}))`,
        )
        .pluck(),
    };
  }

  async listSessions(filter: SessionFilter): Promise<ChatSessionRecord[]> {
    const rows = this.statements.list.all({
      topicId: filter.topicId ?? null,
      visibleTo: filter.visibleTo ?? null,
    }) as SessionRow[];
    return rows.map(toSession);
  }

  async getSession(id: number): Promise<ChatSessionRecord | null> {
    return this.read(id);
  }

  async createSession(session: NewSession): Promise<ChatSessionRecord> {
    const { topicExists, insert } = this.statements;
    return this.db
      .transaction(() => {
        if (!topicExists.get(session.topicId)) {
          throw new PresenceError("PRES_ERR_NO_TOPIC", { topicId: session.topicId });
        }
        const { id } = insert.get({
          ...session.customer,
          consented: Number(session.customer.consented),
          topicId: session.topicId,
          status: session.status,
          firstMessage: session.firstMessage,
          lastMessage: session.lastMessage,
          rating: session.rating,
          chatbotIsActive: Number(session.chatbotIsActive),
          whenRequested: session.whenRequested,
        }) as { id: number };
        return this.read(id) as ChatSessionRecord;
      })
      .immediate();
  }

  async updateSessionIf(id: number, change: GuardedChange): Promise<ChatSessionRecord | null> {
    return this.guardedUpdate("id = @id", { id }, change);
  }

  async pickUpFirstSession(
    userId: number,
    topicIds: readonly number[] | null,
    now: number,
  ): Promise<ChatSessionRecord | null> {
    // Topics where the user has no room left are passed over for the next oldest session.
    const oldest = `id = (SELECT q.id FROM sessions q WHERE ${QUEUED_IN_TOPICS}
        AND ${withinCapacity("@picker", "q.topic_id")}
      ORDER BY COALESCE(q.when_requested, 0), q.id LIMIT 1)`;
    return this.guardedUpdate(
      oldest,
      { ...topicParams(topicIds), picker: userId },
      pickUp(userId, now),
    );
  }

  async waitingBeyondCapacity(
    userId: number,
    topicIds: readonly number[] | null,
  ): Promise<boolean> {
    return this.statements.beyondCapacity.get({ ...topicParams(topicIds), picker: userId }) === 1;
  }

  async deleteSession(id: number): Promise<DeletedSession | null> {
    return this.db
      .transaction(() => {
        const before = this.read(id);
        if (!before) return null;
        const offer = this.statements.endOffer.get(id) as OfferRow | undefined;
        this.statements.delete.run(id);
        return { ...before, endedOffer: offer ? toOffer(offer) : null };
      })
      .immediate();
  }

  private read(id: number): ChatSessionRecord | null {
    const row = this.statements.byId.get(id) as SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  /** One UPDATE … WHERE <target> AND <guard> RETURNING id, then the joined row. */
  private guardedUpdate(
    target: string,
    targetParams: Params,
    change: GuardedChange,
  ): ChatSessionRecord | null {
    return this.db
      .transaction(() => {
        const id = runGuarded(this.db, this.updates, target, targetParams, change);
        return id === null ? null : this.read(id);
      })
      .immediate();
  }
}

/**
 * Runs a guarded change as one UPDATE … WHERE <target> AND <guard> RETURNING id, inside the
 * caller's transaction (routing's accept runs it after ending the offer); the id it changed,
 * or null. Statements are prepared once per shape into `cache`.
 */
export function runGuarded(
  db: Database.Database,
  cache: Map<string, Database.Statement>,
  target: string,
  targetParams: Params,
  { condition, changes }: GuardedChange,
): number | null {
  const params: Params = { ...targetParams };
  const sets = setClauses(changes, params);
  const where = [target, ...whereClauses(condition, params)];
  const sql = `UPDATE sessions SET ${sets.join(", ")} WHERE ${where.join(" AND ")} RETURNING id`;
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  try {
    const row = statement.get(params) as { id: number } | undefined;
    return row ? row.id : null;
  } catch (error) {
    if (isForeignKeyError(error)) {
      throw new PresenceError("PRES_ERR_NO_USER", {
        user: String(changes.transferToId ?? changes.userId ?? ""),
      });
    }
    throw error;
  }
}
