/**
 * SQLite: the statements that turn one outbox entry's events (@events, a JSON array) into
 * deliveries for webhooks @after < id <= @last registered by the entry's time @createdAt:
 * presence changes to the webhooks that take presence (by topic, before or after the change),
 * routing events to those that take routing (by the event's topic).
 */

/** One delivery per event `e` and webhook `w` that takes events of `type` and `matches`. */
function fanOut(type: string, version: string, matches: string): string {
  return `INSERT INTO webhook_deliveries
     (id, webhook_id, event_version, user_id, event, status, attempts, next_attempt_at, created_at)
   SELECT chat_presence_uuid(), w.id, e.value ->> '$.${version}',
          coalesce(e.value ->> '$.UserId', 0), e.value, 'pending', 0, @createdAt, @createdAt
   FROM json_each(@events) e
   JOIN webhooks w ON w.id > @after AND w.id <= @last AND w.created_at <= @createdAt
   WHERE instr(',' || w.event_types || ',', ',${type},') > 0 AND (w.topic_id IS NULL OR ${matches})
   ORDER BY e.key, w.id`;
}

export const FAN_OUT = fanOut(
  "presence",
  "Version",
  `EXISTS (SELECT 1 FROM json_each(e.value, '$.ChatTopics') t WHERE t.value = w.topic_id)
      OR EXISTS (SELECT 1 FROM json_each(e.value, '$.Previous.ChatTopics') t
                 WHERE t.value = w.topic_id)`,
);

export const FAN_OUT_ROUTING = fanOut("routing", "Id", `w.topic_id = e.value ->> '$.TopicId'`);
