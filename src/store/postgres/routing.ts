/**
 * PostgreSQL: routing (RoutingStore), for several nodes on one schema. The offers' unique keys
 * (ON CONFLICT DO NOTHING) stop a second offer of a session or to an agent; an offer lapses,
 * is accepted or withdrawn by one DELETE … RETURNING, so whichever node ends it, it ends once.
 * A decision that depends on the agent's row (present, under their limits) first locks that
 * row, which presence saves also write: the check and the write see one state of the agent.
 */
import type pg from "pg";
import type { AgentLoad } from "../../domain/capacity.ts";
import type { RoutingCandidate, RoutingOffer, RoutingSettings } from "../../domain/routing.ts";
import { type GuardedChange, pickUp } from "../../domain/session.ts";
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
import { transaction } from "./connection.ts";
import { guardedSql, lockTaker, Params } from "./sessions.ts";

const RESET_MISSES = "UPDATE routing_agents SET missed_offers = 0 WHERE user_id = $1";

export class PostgresRouting implements RoutingStore {
  constructor(private readonly pool: pg.Pool) {}

  async getTopicRouting(topicId: number): Promise<TopicRouting | null> {
    const { rows } = await this.pool.query<TopicRoutingRow>(TOPIC_ROUTING_SQL("$1::int"), [
      topicId,
    ]);
    return rows[0] ? toTopicRouting(rows[0]) : null;
  }

  async setRoutingSettings(topicId: number, settings: RoutingSettings): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO routing_topics (${SETTINGS_UPSERT_COLUMNS})
       SELECT id, $2, $3, $4, $5 FROM topics WHERE id = $1
       ON CONFLICT (topic_id) DO UPDATE SET ${SETTINGS_UPDATE}`,
      [
        topicId,
        settings.mode,
        settings.offerSeconds,
        settings.order,
        settings.missedOffersBeforeAway,
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  async routedTopicIds(): Promise<number[]> {
    const { rows } = await this.pool.query<{ topic_id: number }>(
      "SELECT topic_id FROM routing_topics WHERE mode <> 'Pull' ORDER BY topic_id",
    );
    return rows.map((r) => r.topic_id);
  }

  async unofferedQueue(topicId: number, limit: number): Promise<QueuedSession[]> {
    const { rows } = await this.pool.query<{
      id: number;
      topic_id: number;
      when_requested: number | null;
    }>(unofferedQueueSql("$1::int", "$2::int"), [topicId, limit]);
    return rows.map((r) => ({ id: r.id, topicId: r.topic_id, whenRequested: r.when_requested }));
  }

  async availableAgents(topicId: number, now: number): Promise<RoutingCandidate[]> {
    const { rows } = await this.pool.query<CandidateRow>(candidatesSql("$1::int", "$2::bigint"), [
      topicId,
      now,
    ]);
    return rows.map(toCandidate);
  }

  async agentLoad(userId: number, topicId: number): Promise<AgentLoad> {
    const sql = agentLoadSql("$1::int", "$2::int");
    return toLoad((await this.pool.query<LoadRow>(sql, [userId, topicId])).rows[0]);
  }

  async offerSession(
    chatSessionId: number,
    userId: number,
    now: number,
    expiresAt: number,
  ): Promise<RoutingOffer | null> {
    return transaction(this.pool, async (client) => {
      // A presence save of the agent waits for this offer, or this offer sees it.
      await client.query("SELECT 1 FROM users WHERE id = $1 FOR SHARE", [userId]);
      const { rows } = await client.query<OfferRow>(
        offerInsertSql("$1::int", "$2::int", "$3::bigint", "$4::bigint"),
        [chatSessionId, userId, now, expiresAt],
      );
      if (!rows[0]) return null;
      await client.query(cursorUpsertSql("$1::int", "$2::int"), [rows[0].topic_id, userId]);
      return toOffer(rows[0]);
    });
  }

  async acceptOffer(chatSessionId: number, userId: number, now: number): Promise<TakeResult> {
    return transaction(this.pool, async (client) => {
      // The agent's row first, as every decision about them takes it: an offer to them being
      // made now (which holds it shared) then finishes before this ends their current one.
      await lockTaker(client, userId);
      // An expired offer not lapsed yet is left for the lapse, which counts the miss.
      const ended = await client.query(
        `DELETE FROM routing_offers WHERE session_id = $1 AND user_id = $2 AND expires_at > $3
         RETURNING session_id`,
        [chatSessionId, userId, now],
      );
      if (ended.rowCount === 0) return { refused: "no_offer" } as TakeResult;
      await client.query(RESET_MISSES, [userId]);
      return this.takeIn(client, chatSessionId, pickUp(userId, now));
    });
  }

  async declineOffer(chatSessionId: number, userId: number): Promise<RoutingOffer | null> {
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<OfferRow>(
        `DELETE FROM routing_offers WHERE session_id = $1 AND user_id = $2
         RETURNING ${OFFER_COLUMNS}`,
        [chatSessionId, userId],
      );
      if (rows[0]) {
        await client.query(RESET_MISSES, [userId]);
        await client.query(passInsertSql("$1::int", "$2::int"), [chatSessionId, userId]);
      }
      return rows[0] ? toOffer(rows[0]) : null;
    });
  }

  async assignSession(chatSessionId: number, userId: number, now: number): Promise<TakeResult> {
    return transaction(this.pool, async (client): Promise<TakeResult> => {
      const session = await client.query<{ topic_id: number }>(
        "SELECT topic_id FROM sessions WHERE id = $1 AND status = 'InQueue'",
        [chatSessionId],
      );
      if (!session.rows[0]) return { refused: "not_in_queue" };
      const topic = session.rows[0].topic_id;
      // Locked before the check: the agent cannot go absent between it and the assignment.
      await lockTaker(client, userId);
      const eligible = await client.query(eligibleSql("$1::int", "$2::int", "$3::bigint"), [
        topic,
        userId,
        now,
      ]);
      if (eligible.rowCount === 0) return { refused: "unavailable" };
      const taken = await this.takeIn(client, chatSessionId, pickUp(userId, now));
      if ("session" in taken)
        await client.query(cursorUpsertSql("$1::int", "$2::int"), [topic, userId]);
      return taken;
    });
  }

  async lapseOffers(now: number): Promise<LapsedOffer[]> {
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<OfferRow>(
        `DELETE FROM routing_offers WHERE expires_at <= $1 RETURNING ${OFFER_COLUMNS}`,
        [now],
      );
      const lapsed: LapsedOffer[] = [];
      for (const row of rows) {
        const counted = await client.query<{ missed_offers: number }>(missUpsertSql("$1::int"), [
          row.user_id,
        ]);
        await client.query(passInsertSql("$1::int", "$2::int"), [row.session_id, row.user_id]);
        lapsed.push(toLapsed(row, counted.rows[0].missed_offers));
      }
      return lapsed;
    });
  }

  async withdrawAgentOffers(userIds: readonly number[]): Promise<RoutingOffer[]> {
    return this.endOffers("user_id = ANY($1::int[])", [userIds]);
  }

  async withdrawSessionOffer(chatSessionId: number): Promise<RoutingOffer | null> {
    return (await this.endOffers("session_id = $1::int", [chatSessionId]))[0] ?? null;
  }

  async withdrawStaleOffers(now: number): Promise<RoutingOffer[]> {
    return this.endOffers(staleOffersWhere("$1::bigint"), [now]);
  }

  async queuePosition(chatSessionId: number): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>(QUEUE_POSITION_SQL("$1::int"), [
      chatSessionId,
    ]);
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async passesOf(chatSessionId: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ user_id: number }>(
      "SELECT user_id FROM routing_passes WHERE session_id = $1 ORDER BY user_id",
      [chatSessionId],
    );
    return rows.map((r) => r.user_id);
  }

  async resetMissedOffers(userId: number): Promise<void> {
    await this.pool.query(RESET_MISSES, [userId]);
  }

  async offersOf(userId: number): Promise<RoutingOffer[]> {
    return this.listOffers("user_id = $1", userId);
  }

  async topicOffers(topicId: number): Promise<RoutingOffer[]> {
    return this.listOffers("topic_id = $1", topicId);
  }

  async nextOfferExpiry(): Promise<number | null> {
    const { rows } = await this.pool.query<{ next: number | null }>(
      "SELECT MIN(expires_at) AS next FROM routing_offers",
    );
    return rows[0].next;
  }

  async acceptStats(topicId: number): Promise<TopicAccepts> {
    const { rows } = await this.pool.query<{ last_accept: number | null; mean_ms: number | null }>(
      ACCEPT_STATS_SQL("$1::int", "::float8"),
      [topicId],
    );
    const { last_accept, mean_ms } = rows[0];
    return {
      lastAccept: last_accept,
      secondsPerAccept: mean_ms === null ? null : Math.round(mean_ms / 1000),
    };
  }

  private async endOffers(where: string, values: unknown[]): Promise<RoutingOffer[]> {
    const { rows } = await this.pool.query<OfferRow>(
      `DELETE FROM routing_offers WHERE ${where} RETURNING ${OFFER_COLUMNS}`,
      values,
    );
    return rows.map(toOffer);
  }

  private async listOffers(where: string, id: number): Promise<RoutingOffer[]> {
    const { rows } = await this.pool.query<OfferRow>(
      `SELECT ${OFFER_COLUMNS} FROM routing_offers WHERE ${where} ORDER BY offered_at, session_id`,
      [id],
    );
    return rows.map(toOffer);
  }

  /** The session given by a guarded change in this transaction; the caller holds the taker's lock. */
  private async takeIn(
    client: pg.PoolClient,
    chatSessionId: number,
    change: GuardedChange,
  ): Promise<TakeResult> {
    const params = new Params();
    const sql = guardedSql("", `s.id = ${params.add(chatSessionId, "int")}`, params, change);
    const { rows } = await client.query<SessionRow>(sql, params.values);
    if (rows[0]) return { session: toSession(rows[0]) };
    const now = await client.query<{ status: string }>(
      "SELECT status FROM sessions WHERE id = $1",
      [chatSessionId],
    );
    return { refused: now.rows[0]?.status === "InQueue" ? "at_capacity" : "not_in_queue" };
  }
}
