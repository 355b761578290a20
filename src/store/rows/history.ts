/** The presence_history row of both backends. */
import type { ChangeSource, PresenceEvent } from "../../domain/presence.ts";
import type { NewHistoryEntry } from "../history.ts";
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

/**
 * The entries as events, the i-th with the id `idOf(i)`: a save's events are made from what it
 * wrote, not read back. Spelled out: `({ at, ...event }) => …` cost
 * ~4 µs an entry (V8's slow path for object rest), more than the insert; entries of one save
 * share one time, so its ISO text is made once.
 */
export function eventsOf(
  entries: readonly NewHistoryEntry[],
  idOf: (index: number) => number,
): PresenceEvent[] {
  let at = Number.NaN;
  let iso = "";
  return entries.map((e, i) => {
    if (e.at !== at) {
      at = e.at;
      iso = new Date(at).toISOString();
    }
    return {
      UserId: e.UserId,
      Present: e.Present,
      OngoingChats: e.OngoingChats,
      ChatTopics: e.ChatTopics,
      Previous: e.Previous,
      Source: e.Source,
      ChangedBy: e.ChangedBy,
      Version: idOf(i),
      At: iso,
    };
  });
}
