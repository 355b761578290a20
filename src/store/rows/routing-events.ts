/** The routing_events row of both backends. */
import type {
  RoutingDetail,
  RoutingEvent,
  RoutingEventInput,
  RoutingEventType,
} from "../../domain/routing-event.ts";
import { type Json, json } from "./dialect.ts";

export interface RoutingEventRow {
  id: number;
  type: RoutingEventType;
  topic_id: number;
  chat_session_id: number | null;
  user_id: number | null;
  at: number;
  detail: Json<RoutingDetail>;
}

export function toRoutingEvent(row: RoutingEventRow): RoutingEvent {
  return {
    id: row.id,
    type: row.type,
    topicId: row.topic_id,
    chatSessionId: row.chat_session_id,
    userId: row.user_id,
    at: row.at,
    detail: json(row.detail) ?? {},
  };
}

/** The events as one JSON array of rows, for a single multi-row INSERT. */
export function routingEventsJson(events: readonly RoutingEventInput[]): string {
  return JSON.stringify(
    events.map((e) => ({
      type: e.type,
      topic_id: e.topicId,
      chat_session_id: e.chatSessionId,
      user_id: e.userId,
      at: e.at,
      detail: e.detail,
    })),
  );
}
