/**
 * Routing's rows and SQL shared by both backends: the tables' columns as records, and the
 * conditions every routing decision checks, written once over placeholders of either dialect
 * (@name for SQLite, $n::type for PostgreSQL). Booleans are tested bare, as both read them.
 */
import type { AgentLoad } from "../../domain/capacity.ts";
import { RECENT_ACCEPTS } from "../../domain/queue.ts";
import {
  DEFAULT_ROUTING,
  type RoutingCandidate,
  type RoutingMode,
  type RoutingOffer,
  type RoutingOrder,
} from "../../domain/routing.ts";
import type { LapsedOffer, TopicRouting } from "../routing.ts";
import { ONGOING_SQL, withinCapacity } from "./sessions.ts";

/** The routing tables, in either dialect's integer and text types (`int` is both). */
export function routingTables(bigint: string): string {
  return `
    CREATE TABLE routing_topics (
      topic_id           int PRIMARY KEY REFERENCES topics(id) ON DELETE CASCADE,
      mode               text NOT NULL DEFAULT '${DEFAULT_ROUTING.mode}'
        CHECK (mode IN ('Pull', 'Offer', 'Assign')),
      offer_seconds      int NOT NULL DEFAULT ${DEFAULT_ROUTING.offerSeconds},
      route_order        text NOT NULL DEFAULT '${DEFAULT_ROUTING.order}'
        CHECK (route_order IN ('LeastBusy', 'RoundRobin')),
      missed_before_away int NOT NULL DEFAULT ${DEFAULT_ROUTING.missedOffersBeforeAway},
      last_chosen        int
    );
    -- One open offer per session (the key) and per agent (the unique user_id): two nodes
    -- offering at once cannot double-offer, whatever they read before.
    CREATE TABLE routing_offers (
      session_id int PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      topic_id   int NOT NULL,
      user_id    int NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
      offered_at ${bigint} NOT NULL,
      expires_at ${bigint} NOT NULL
    );
    CREATE INDEX routing_offers_expiry ON routing_offers(expires_at);
    CREATE INDEX routing_offers_topic ON routing_offers(topic_id);
    -- Who let an offer of the session pass (declined or lapsed): offered to others first.
    CREATE TABLE routing_passes (
      session_id int NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      user_id    int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      PRIMARY KEY (session_id, user_id)
    );
    CREATE TABLE routing_agents (
      user_id       int PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      missed_offers int NOT NULL DEFAULT 0
    );`;
}

/** User `u`, member `m` of the topic, is present (and not past a deadline) and may respond. */
export function presentResponder(now: string): string {
  return `m.can_respond AND u.present AND (u.present_until IS NULL OR u.present_until > ${now})`;
}

/**
 * User `u`, member `m` of topic `topic`, is available for it at `now`: present, CanRespond,
 * without an open offer, and with room for one more chat under their limits there.
 */
export function availableSql(topic: string, now: string): string {
  return `${presentResponder(now)}
    AND NOT EXISTS (SELECT 1 FROM routing_offers busy WHERE busy.user_id = u.id)
    AND ${withinCapacity("u.id", topic)}`;
}

/** User `u`'s load in topic `t`: ongoing chats in all topics and in `t`, and both limits. */
const LOAD_COLUMNS = `u.max_chats, COALESCE(t.max_chats_per_agent, 0) AS max_chats_per_agent,
      (SELECT COUNT(*) FROM sessions c WHERE c.user_id = u.id
        AND c.status IN (${ONGOING_SQL})) AS ongoing_chats,
      (SELECT COUNT(*) FROM sessions c WHERE c.user_id = u.id AND c.topic_id = t.id
        AND c.status IN (${ONGOING_SQL})) AS ongoing_in_topic`;

/** The available members of topic `topic` with what the choice orders by. */
export function candidatesSql(topic: string, now: string): string {
  return `SELECT u.id AS user_id, ${LOAD_COLUMNS},
      (SELECT MAX(ls.when_started) FROM sessions ls WHERE ls.user_id = u.id) AS last_assigned_at
    FROM topic_members m JOIN users u ON u.id = m.user_id JOIN topics t ON t.id = m.topic_id
    WHERE m.topic_id = ${topic} AND ${availableSql(topic, now)}
    ORDER BY u.id`;
}

/** User `user`'s load in topic `topic` (no row: no such user). */
export function agentLoadSql(user: string, topic: string): string {
  return `SELECT ${LOAD_COLUMNS} FROM users u LEFT JOIN topics t ON t.id = ${topic}
    WHERE u.id = ${user}`;
}

/**
 * The offer of queued session `session` to user `user`, inserted only while both hold; the
 * unique keys turn a second offer of either into nothing.
 */
export function offerInsertSql(session: string, user: string, now: string, expires: string) {
  return `INSERT INTO routing_offers (session_id, topic_id, user_id, offered_at, expires_at)
    SELECT s.id, s.topic_id, u.id, ${now}, ${expires}
    FROM sessions s JOIN topic_members m ON m.topic_id = s.topic_id AND m.user_id = ${user}
      JOIN users u ON u.id = m.user_id
    WHERE s.id = ${session} AND s.status = 'InQueue' AND ${availableSql("s.topic_id", now)}
    ON CONFLICT DO NOTHING
    RETURNING ${OFFER_COLUMNS}`;
}

/** Whether user `user` may be given a chat of topic `topic` now (Assign): present and responding. */
export function eligibleSql(topic: string, user: string, now: string): string {
  return `SELECT 1 FROM topic_members m JOIN users u ON u.id = m.user_id
    WHERE m.topic_id = ${topic} AND m.user_id = ${user} AND ${presentResponder(now)}`;
}

/** Offers that can no longer be accepted: the session left the queue or the agent went. */
export function staleOffersWhere(now: string): string {
  return `NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = routing_offers.session_id
        AND s.status = 'InQueue')
    OR NOT EXISTS (SELECT 1 FROM topic_members m JOIN users u ON u.id = m.user_id
        WHERE m.topic_id = routing_offers.topic_id AND m.user_id = routing_offers.user_id
          AND ${presentResponder(now)})`;
}

/** The topic's queue not yet offered, oldest first (no Rank is stored: every session is 0). */
export function unofferedQueueSql(topic: string, limit: string): string {
  return `SELECT id, topic_id, when_requested FROM sessions q
    WHERE q.topic_id = ${topic} AND q.status = 'InQueue'
      AND NOT EXISTS (SELECT 1 FROM routing_offers o WHERE o.session_id = q.id)
    ORDER BY COALESCE(q.when_requested, 0), q.id LIMIT ${limit}`;
}

/** The place of session `session` in its topic's queue, in the order unofferedQueueSql uses. */
export const QUEUE_POSITION_SQL = (session: string) => `SELECT CASE WHEN s.status = 'InQueue' THEN
    (SELECT COUNT(*) FROM sessions q WHERE q.topic_id = s.topic_id AND q.status = 'InQueue'
      AND (COALESCE(q.when_requested, 0) < COALESCE(s.when_requested, 0)
        OR (COALESCE(q.when_requested, 0) = COALESCE(s.when_requested, 0) AND q.id <= s.id)))
    ELSE 0 END AS position
  FROM sessions s WHERE s.id = ${session}`;

/** The cursor moved to the agent just chosen, creating the topic's row with defaults. */
export function cursorUpsertSql(topic: string, user: string): string {
  return `INSERT INTO routing_topics (topic_id, last_chosen) VALUES (${topic}, ${user})
    ON CONFLICT (topic_id) DO UPDATE SET last_chosen = excluded.last_chosen`;
}

/** A miss counted for an agent; their count after it is returned. */
export function missUpsertSql(user: string): string {
  return `INSERT INTO routing_agents (user_id, missed_offers) VALUES (${user}, 1)
    ON CONFLICT (user_id) DO UPDATE SET missed_offers = routing_agents.missed_offers + 1
    RETURNING missed_offers`;
}

/** The agent passed the session over (declined it or let the offer lapse). */
export function passInsertSql(session: string, user: string): string {
  return `INSERT INTO routing_passes (session_id, user_id) VALUES (${session}, ${user})
    ON CONFLICT DO NOTHING`;
}

export const OFFER_COLUMNS = "session_id, topic_id, user_id, offered_at, expires_at";

/**
 * Measured accepts: the newest WhenStarted, and the mean wait over the RECENT_ACCEPTS newest
 * sessions taken (a rolling measurement that follows the current pace; newest by id, which the
 * topic index yields in order without a sort). NOT MATERIALIZED: each use reads the topic index
 * itself (PostgreSQL would otherwise copy every taken row first). `real` casts the mean to a
 * double where AVG would give a decimal.
 */
export const ACCEPT_STATS_SQL = (topic: string, real = "") => `WITH taken AS NOT MATERIALIZED (
    SELECT id, when_started, when_requested FROM sessions
    WHERE topic_id = ${topic} AND when_started IS NOT NULL AND when_requested IS NOT NULL)
  SELECT (SELECT MAX(when_started) FROM taken) AS last_accept,
    (SELECT AVG(when_started - when_requested)${real} FROM
      (SELECT when_started, when_requested FROM taken ORDER BY id DESC LIMIT ${RECENT_ACCEPTS})
        recent) AS mean_ms`;

export interface OfferRow {
  session_id: number;
  topic_id: number;
  user_id: number;
  offered_at: number;
  expires_at: number;
}

export function toOffer(row: OfferRow): RoutingOffer {
  return {
    chatSessionId: row.session_id,
    topicId: row.topic_id,
    userId: row.user_id,
    offeredAt: Number(row.offered_at),
    expiresAt: Number(row.expires_at),
  };
}

export function toLapsed(row: OfferRow, missedOffers: number): LapsedOffer {
  return { ...toOffer(row), missedOffers };
}

export interface TopicRoutingRow {
  mode: RoutingMode | null;
  offer_seconds: number | null;
  route_order: RoutingOrder | null;
  missed_before_away: number | null;
  last_chosen: number | null;
}

/** A topic joined with its routing row (all null until set: the defaults). */
export const TOPIC_ROUTING_SQL = (topic: string) => `SELECT r.mode, r.offer_seconds, r.route_order,
    r.missed_before_away, r.last_chosen
  FROM topics t LEFT JOIN routing_topics r ON r.topic_id = t.id WHERE t.id = ${topic}`;

export function toTopicRouting(row: TopicRoutingRow): TopicRouting {
  return {
    settings: {
      mode: row.mode ?? DEFAULT_ROUTING.mode,
      offerSeconds: row.offer_seconds ?? DEFAULT_ROUTING.offerSeconds,
      order: row.route_order ?? DEFAULT_ROUTING.order,
      missedOffersBeforeAway: row.missed_before_away ?? DEFAULT_ROUTING.missedOffersBeforeAway,
    },
    lastChosen: row.last_chosen,
  };
}

export const SETTINGS_UPSERT_COLUMNS =
  "topic_id, mode, offer_seconds, route_order, missed_before_away";
export const SETTINGS_UPDATE = `mode = excluded.mode, offer_seconds = excluded.offer_seconds,
  route_order = excluded.route_order, missed_before_away = excluded.missed_before_away`;

export interface LoadRow {
  max_chats: number;
  max_chats_per_agent: number;
  ongoing_chats: number | string;
  ongoing_in_topic: number | string;
}

export interface CandidateRow extends LoadRow {
  user_id: number;
  last_assigned_at: number | null;
}

export function toLoad(row: LoadRow | undefined): AgentLoad {
  return {
    ongoingChats: Number(row?.ongoing_chats ?? 0),
    ongoingInTopic: Number(row?.ongoing_in_topic ?? 0),
    maxChats: row?.max_chats ?? 0,
    maxChatsPerAgent: row?.max_chats_per_agent ?? 0,
  };
}

export function toCandidate(row: CandidateRow): RoutingCandidate {
  return {
    userId: row.user_id,
    ...toLoad(row),
    lastAssignedAt: row.last_assigned_at === null ? null : Number(row.last_assigned_at),
  };
}
