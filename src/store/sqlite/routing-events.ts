/**
 * SQLite: the routing event log (RoutingEventStore). Writes are serialised by the database,
 * so ids are given in commit order and a reader paging by id never skips one.
 */
import type Database from "better-sqlite3";
import type { RoutingEvent, RoutingEventInput } from "../../domain/routing-event.ts";
import type { RoutingEventQuery, RoutingEventStore } from "../routing-events.ts";
import { type RoutingEventRow, routingEventsJson, toRoutingEvent } from "../rows/routing-events.ts";

/**
 * AUTOINCREMENT: an id is never given twice, even after the newest events were purged. Webhooks
 * choose their event types, and outbox entries say whose ids they hold.
 */
export const ROUTING_EVENTS_MIGRATION = `
  CREATE TABLE routing_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    type            TEXT NOT NULL,
    topic_id        INTEGER NOT NULL,
    chat_session_id INTEGER,
    user_id         INTEGER,
    at              INTEGER NOT NULL,
    detail          TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX routing_events_topic ON routing_events(topic_id, id);
  CREATE INDEX routing_events_at ON routing_events(at);
  ALTER TABLE webhooks ADD COLUMN event_types TEXT NOT NULL DEFAULT 'presence';
  ALTER TABLE webhook_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'presence';
`;

export class SqliteRoutingEvents implements RoutingEventStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO routing_events (type, topic_id, chat_session_id, user_id, at, detail)
         SELECT value->>'type', value->>'topic_id', value->>'chat_session_id',
                value->>'user_id', value->>'at', value->'detail'
         FROM json_each(?) ORDER BY key
         RETURNING *`,
      ),
      since: db.prepare(
        `SELECT * FROM routing_events
         WHERE id > @afterId
           AND (@topics IS NULL OR topic_id IN (SELECT value FROM json_each(@topics)))
           AND (@since IS NULL OR at >= @since)
         ORDER BY id LIMIT @limit`,
      ),
      latest: db.prepare("SELECT COALESCE(MAX(id), 0) FROM routing_events").pluck(),
      oldest: db.prepare("SELECT MIN(id) FROM routing_events").pluck(),
      purge: db.prepare("DELETE FROM routing_events WHERE at < ?"),
    };
  }

  async appendRoutingEvents(events: readonly RoutingEventInput[]): Promise<RoutingEvent[]> {
    if (events.length === 0) return [];
    const rows = this.statements.insert.all(routingEventsJson(events)) as RoutingEventRow[];
    return rows.map(toRoutingEvent).sort((a, b) => a.id - b.id);
  }

  async routingEventsSince(query: RoutingEventQuery): Promise<RoutingEvent[]> {
    const rows = this.statements.since.all({
      afterId: query.afterId,
      topics: query.topicIds ? JSON.stringify(query.topicIds) : null,
      since: query.since ?? null,
      limit: query.limit,
    }) as RoutingEventRow[];
    return rows.map(toRoutingEvent);
  }

  async latestRoutingEventId(): Promise<number> {
    return this.statements.latest.get() as number;
  }

  async oldestRoutingEventId(): Promise<number | null> {
    return (this.statements.oldest.get() as number | null) ?? null;
  }

  async purgeRoutingEvents(before: number): Promise<number> {
    return this.statements.purge.run(before).changes;
  }
}
