/**
 * SQLite: routing (RoutingStore). Each decision is one IMMEDIATE transaction, which SQLite runs
 * one at a time across every connection to the file, and the offers' unique keys stop a second
 * offer of a session or to an agent whatever was read before.
 */
import type Database from "better-sqlite3";
import type { AgentLoad } from "../../domain/capacity.ts";
import type { RoutingCandidate, RoutingOffer, RoutingSettings } from "../../domain/routing.ts";
import { type ChatSessionRecord, type GuardedChange, pickUp } from "../../domain/session.ts";
import type { TopicAccepts } from "../../domain/topic.ts";
import type {
  LapsedOffer,
  QueuedSession,
  RoutingStore,
  TakeResult,
  TopicRouting,
} from "../routing.ts";
import {
  ACCEPT_STATS_SQL,
  agentLoadSql,
  type CandidateRow,
  candidatesSql,
  cursorUpsertSql,
  eligibleSql,
  type LoadRow,
  missUpsertSql,
  OFFER_COLUMNS,
  type OfferRow,
  offerInsertSql,
  passInsertSql,
  QUEUE_POSITION_SQL,
  SETTINGS_UPDATE,
  SETTINGS_UPSERT_COLUMNS,
  staleOffersWhere,
  TOPIC_ROUTING_SQL,
  type TopicRoutingRow,
  toCandidate,
  toLapsed,
  toLoad,
  toOffer,
  toTopicRouting,
  unofferedQueueSql,
} from "../rows/routing.ts";
import { type SessionRow, toSession } from "../rows/sessions.ts";
import { runGuarded, SESSION_SELECT } from "./sessions.ts";

export class SqliteRouting implements RoutingStore {
  private readonly sql;
  private readonly takes = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    const offers = `SELECT ${OFFER_COLUMNS} FROM routing_offers`;
    this.sql = {
      topic: db.prepare(TOPIC_ROUTING_SQL("?")),
      settings: db.prepare(
        `INSERT INTO routing_topics (${SETTINGS_UPSERT_COLUMNS})
         SELECT id, @mode, @offerSeconds, @order, @missed FROM topics WHERE id = @topicId
         ON CONFLICT (topic_id) DO UPDATE SET ${SETTINGS_UPDATE}`,
      ),
      routed: db.prepare("SELECT topic_id FROM routing_topics WHERE mode <> 'Pull'").pluck(),
      queue: db.prepare(unofferedQueueSql("@topic", "@limit")),
      candidates: db.prepare(candidatesSql("@topic", "@now")),
      offer: db.prepare(offerInsertSql("@session", "@user", "@now", "@expires")),
      cursor: db.prepare(cursorUpsertSql("@topic", "@user")),
      endOffer: db.prepare(
        `DELETE FROM routing_offers WHERE session_id = ? AND user_id = ? RETURNING ${OFFER_COLUMNS}`,
      ),
      acceptable: db.prepare(
        `DELETE FROM routing_offers WHERE session_id = ? AND user_id = ? AND expires_at > ?
         RETURNING ${OFFER_COLUMNS}`,
      ),
      expired: db.prepare(
        `DELETE FROM routing_offers WHERE expires_at <= ? RETURNING ${OFFER_COLUMNS}`,
      ),
      miss: db.prepare(missUpsertSql("?")).pluck(),
      position: db.prepare(QUEUE_POSITION_SQL("?")).pluck(),
      load: db.prepare(agentLoadSql("@user", "@topic")),
      pass: db.prepare(passInsertSql("?", "?")),
      passes: db
        .prepare("SELECT user_id FROM routing_passes WHERE session_id = ? ORDER BY user_id")
        .pluck(),
      reset: db.prepare("UPDATE routing_agents SET missed_offers = 0 WHERE user_id = ?"),
      ofAgents: db.prepare(
        `DELETE FROM routing_offers WHERE user_id IN (SELECT value FROM json_each(?))
         RETURNING ${OFFER_COLUMNS}`,
      ),
      ofSession: db.prepare(
        `DELETE FROM routing_offers WHERE session_id = ? RETURNING ${OFFER_COLUMNS}`,
      ),
      stale: db.prepare(
        `DELETE FROM routing_offers WHERE ${staleOffersWhere("@now")} RETURNING ${OFFER_COLUMNS}`,
      ),
      listOfAgent: db.prepare(`${offers} WHERE user_id = ? ORDER BY offered_at, session_id`),
      listOfTopic: db.prepare(`${offers} WHERE topic_id = ? ORDER BY offered_at, session_id`),
      nextExpiry: db.prepare("SELECT MIN(expires_at) FROM routing_offers").pluck(),
      eligible: db.prepare(eligibleSql("@topic", "@user", "@now")).pluck(),
      session: db.prepare(`${SESSION_SELECT} WHERE s.id = ?`),
      stats: db.prepare(ACCEPT_STATS_SQL("?")),
    };
  }

  async getTopicRouting(topicId: number): Promise<TopicRouting | null> {
    const row = this.sql.topic.get(topicId) as TopicRoutingRow | undefined;
    return row ? toTopicRouting(row) : null;
  }

  async setRoutingSettings(topicId: number, settings: RoutingSettings): Promise<boolean> {
    const { changes } = this.sql.settings.run({
      topicId,
      mode: settings.mode,
      offerSeconds: settings.offerSeconds,
      order: settings.order,
      missed: settings.missedOffersBeforeAway,
    });
    return changes > 0;
  }

  async routedTopicIds(): Promise<number[]> {
    return this.sql.routed.all() as number[];
  }

  async unofferedQueue(topicId: number, limit: number): Promise<QueuedSession[]> {
    const rows = this.sql.queue.all({ topic: topicId, limit }) as {
      id: number;
      topic_id: number;
      when_requested: number | null;
    }[];
    return rows.map((r) => ({ id: r.id, topicId: r.topic_id, whenRequested: r.when_requested }));
  }

  async availableAgents(topicId: number, now: number): Promise<RoutingCandidate[]> {
    return (this.sql.candidates.all({ topic: topicId, now }) as CandidateRow[]).map(toCandidate);
  }

  async agentLoad(userId: number, topicId: number): Promise<AgentLoad> {
    return toLoad(this.sql.load.get({ user: userId, topic: topicId }) as LoadRow | undefined);
  }

  async offerSession(
    chatSessionId: number,
    userId: number,
    now: number,
    expiresAt: number,
  ): Promise<RoutingOffer | null> {
    return this.db
      .transaction(() => {
        const row = this.sql.offer.get({
          session: chatSessionId,
          user: userId,
          now,
          expires: expiresAt,
        }) as OfferRow | undefined;
        if (!row) return null;
        this.sql.cursor.run({ topic: row.topic_id, user: userId });
        return toOffer(row);
      })
      .immediate();
  }

  async acceptOffer(chatSessionId: number, userId: number, now: number): Promise<TakeResult> {
    return this.db
      .transaction((): TakeResult => {
        // An expired offer not lapsed yet is left for the lapse, which counts the miss.
        if (!this.sql.acceptable.get(chatSessionId, userId, now)) return { refused: "no_offer" };
        this.sql.reset.run(userId);
        return this.takeNow(chatSessionId, pickUp(userId, now));
      })
      .immediate();
  }

  async declineOffer(chatSessionId: number, userId: number): Promise<RoutingOffer | null> {
    return this.db
      .transaction(() => {
        const offer = this.sql.endOffer.get(chatSessionId, userId) as OfferRow | undefined;
        if (offer) {
          this.sql.reset.run(userId);
          this.sql.pass.run(chatSessionId, userId);
        }
        return offer ? toOffer(offer) : null;
      })
      .immediate();
  }

  async assignSession(chatSessionId: number, userId: number, now: number): Promise<TakeResult> {
    return this.db
      .transaction((): TakeResult => {
        const session = this.sql.session.get(chatSessionId) as SessionRow | undefined;
        if (session?.status !== "InQueue") return { refused: "not_in_queue" };
        const params = { topic: session.topic_id, user: userId, now };
        if (this.sql.eligible.get(params) !== 1) return { refused: "unavailable" };
        const taken = this.takeNow(chatSessionId, pickUp(userId, now));
        if ("session" in taken) this.sql.cursor.run(params);
        return taken;
      })
      .immediate();
  }

  async lapseOffers(now: number): Promise<LapsedOffer[]> {
    return this.db
      .transaction(() =>
        (this.sql.expired.all(now) as OfferRow[]).map((row) => {
          this.sql.pass.run(row.session_id, row.user_id);
          return toLapsed(row, this.sql.miss.get(row.user_id) as number);
        }),
      )
      .immediate();
  }

  async withdrawAgentOffers(userIds: readonly number[]): Promise<RoutingOffer[]> {
    return (this.sql.ofAgents.all(JSON.stringify(userIds)) as OfferRow[]).map(toOffer);
  }

  async withdrawSessionOffer(chatSessionId: number): Promise<RoutingOffer | null> {
    const row = this.sql.ofSession.get(chatSessionId) as OfferRow | undefined;
    return row ? toOffer(row) : null;
  }

  async withdrawStaleOffers(now: number): Promise<RoutingOffer[]> {
    return (this.sql.stale.all({ now }) as OfferRow[]).map(toOffer);
  }

  async queuePosition(chatSessionId: number): Promise<number> {
    return (this.sql.position.get(chatSessionId) as number | undefined) ?? 0;
  }

  async passesOf(chatSessionId: number): Promise<number[]> {
    return this.sql.passes.all(chatSessionId) as number[];
  }

  async resetMissedOffers(userId: number): Promise<void> {
    this.sql.reset.run(userId);
  }

  async offersOf(userId: number): Promise<RoutingOffer[]> {
    return (this.sql.listOfAgent.all(userId) as OfferRow[]).map(toOffer);
  }

  async topicOffers(topicId: number): Promise<RoutingOffer[]> {
    return (this.sql.listOfTopic.all(topicId) as OfferRow[]).map(toOffer);
  }

  async nextOfferExpiry(): Promise<number | null> {
    return (this.sql.nextExpiry.get() as number | null) ?? null;
  }

  async acceptStats(topicId: number): Promise<TopicAccepts> {
    const row = this.sql.stats.get(topicId) as {
      last_accept: number | null;
      mean_ms: number | null;
    };
    return {
      lastAccept: row.last_accept,
      secondsPerAccept: row.mean_ms === null ? null : Math.round(row.mean_ms / 1000),
    };
  }

  /** The session given by a guarded change in the running transaction, or why it was not. */
  private takeNow(chatSessionId: number, change: GuardedChange): TakeResult {
    const id = runGuarded(this.db, this.takes, "id = @id", { id: chatSessionId }, change);
    if (id !== null) {
      const row = this.sql.session.get(id) as SessionRow;
      return { session: toSession(row) as ChatSessionRecord };
    }
    const now = this.sql.session.get(chatSessionId) as SessionRow | undefined;
    return { refused: now?.status === "InQueue" ? "at_capacity" : "not_in_queue" };
  }
}
