/**
 * PostgreSQL: the statements that turn one outbox entry's events ($1, a JSON array) into
 * deliveries for webhooks $2 < id <= $3 registered by the entry's time $4: presence changes to
 * the webhooks that take presence (by topic, before or after the change), routing events to
 * those that take routing (by the event's topic).
 */

/** One delivery per event `e` and webhook `w` that takes events of `type` and `matches`. */
function fanOut(type: string, version: string, matches: string): string {
  return `INSERT INTO webhook_deliveries
    (id, webhook_id, event_version, user_id, event, status, attempts, next_attempt_at, created_at)
  SELECT gen_random_uuid(), w.id, (e->>'${version}')::bigint, coalesce((e->>'UserId')::int, 0),
         e, 'pending', 0, $4, $4
  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)
  JOIN webhooks w ON w.id > $2 AND w.id <= $3 AND w.created_at <= $4
    AND '${type}' = ANY(string_to_array(w.event_types, ',')) AND (w.topic_id IS NULL OR ${matches})
  ORDER BY ord, w.id`;
}

export const FAN_OUT = fanOut(
  "presence",
  "Version",
  `e->'ChatTopics' @> to_jsonb(w.topic_id) OR e->'Previous'->'ChatTopics' @> to_jsonb(w.topic_id)`,
);

export const FAN_OUT_ROUTING = fanOut("routing", "Id", `w.topic_id = (e->>'TopicId')::int`);
