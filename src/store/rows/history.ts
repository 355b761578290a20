/** The presence_history row of both backends. */
import type { ChangeSource, PresenceEvent } from "../../domain/presence.ts";
import { type Flag, flag, type Json, json } from "./dialect.ts";

export interface HistoryRow {
  id: number;
  user_id: number;
  present: Flag;
  ongoing_chats: number;
  /** SQLite keeps the topic ids as comma-separated text, PostgreSQL as int[]. */
  chat_topics: number[] | string;
  previous: Json<NonNullable<PresenceEvent["Previous"]>> | null;
  source: ChangeSource;
  changed_by: number | null;
  at: number;
}

/** Topic ids as SQLite's history stores them. */
export const topicsText = (topics: readonly number[]) => topics.join(",");

function topicsOf(topics: number[] | string): number[] {
  if (typeof topics !== "string") return topics;
  return topics ? topics.split(",").map(Number) : [];
}

export function toEvent(row: HistoryRow): PresenceEvent {
  return {
    UserId: row.user_id,
    Present: flag(row.present),
    OngoingChats: row.ongoing_chats,
    ChatTopics: topicsOf(row.chat_topics),
    Previous: json(row.previous),
    Version: row.id,
    At: new Date(row.at).toISOString(),
    Source: row.source,
    ChangedBy: row.changed_by,
  };
}
