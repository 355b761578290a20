/**
 * The queue's reads, written once over placeholders of either dialect (@name for SQLite,
 * $n::type for PostgreSQL), and their rows. The order is routing's (unofferedQueueSql).
 */
import type { QueueEntry, QueueFigures, ResponderLoad } from "../queue.ts";
import { presentResponder } from "./routing.ts";
import { ONGOING_SQL } from "./sessions.ts";

export function topicQueueSql(topic: string): string {
  return `SELECT q.id, q.when_requested, o.user_id AS offered_to, u.username, u.display_name
    FROM sessions q LEFT JOIN routing_offers o ON o.session_id = q.id
      LEFT JOIN users u ON u.id = o.user_id
    WHERE q.topic_id = ${topic} AND q.status = 'InQueue'
    ORDER BY COALESCE(q.when_requested, 0), q.id`;
}

export function presentRespondersSql(topic: string, now: string): string {
  return `SELECT COUNT(*) FROM topic_members m JOIN users u ON u.id = m.user_id
    WHERE m.topic_id = ${topic} AND ${presentResponder(now)}`;
}

/** `topic` null reads every topic with a session waiting. */
export function queueFiguresSql(topic: string): string {
  return `SELECT topic_id, COUNT(*) AS queue_length, MIN(when_requested) AS oldest_requested
    FROM sessions WHERE status = 'InQueue' AND (${topic} IS NULL OR topic_id = ${topic})
    GROUP BY topic_id ORDER BY topic_id`;
}

export function responderLoadsSql(now: string): string {
  const ongoing = `SELECT COUNT(*) FROM sessions c WHERE c.user_id = u.id
    AND c.status IN (${ONGOING_SQL})`;
  return `SELECT m.topic_id, u.max_chats, t.max_chats_per_agent,
      (${ongoing}) AS ongoing_chats, (${ongoing} AND c.topic_id = m.topic_id) AS ongoing_in_topic
    FROM topic_members m JOIN users u ON u.id = m.user_id JOIN topics t ON t.id = m.topic_id
    WHERE ${presentResponder(now)}
    ORDER BY m.topic_id, u.id`;
}

/** Counts and times as either driver returns them (PostgreSQL: bigint as text). */
type Wide = number | string;
const wide = (value: Wide | null): number | null => (value === null ? null : Number(value));

export interface QueueEntryRow {
  id: number;
  when_requested: Wide | null;
  offered_to: number | null;
  username: string | null;
  display_name: string | null;
}

export function toQueueEntry(row: QueueEntryRow): QueueEntry {
  return {
    id: row.id,
    whenRequested: wide(row.when_requested),
    offeredTo:
      row.offered_to === null
        ? null
        : {
            id: row.offered_to,
            username: row.username ?? "",
            displayName: row.display_name ?? "",
          },
  };
}

export interface QueueFiguresRow {
  topic_id: number;
  queue_length: Wide;
  oldest_requested: Wide | null;
}

export function toQueueFigures(row: QueueFiguresRow): QueueFigures {
  return {
    topicId: row.topic_id,
    queueLength: Number(row.queue_length),
    oldestRequested: wide(row.oldest_requested),
  };
}

export interface ResponderLoadRow {
  topic_id: number;
  max_chats: number;
  max_chats_per_agent: number;
  ongoing_chats: Wide;
  ongoing_in_topic: Wide;
}

export function toResponderLoad(row: ResponderLoadRow): ResponderLoad {
  return {
    topicId: row.topic_id,
    ongoingChats: Number(row.ongoing_chats),
    ongoingInTopic: Number(row.ongoing_in_topic),
    maxChats: row.max_chats,
    maxChatsPerAgent: row.max_chats_per_agent,
  };
}
