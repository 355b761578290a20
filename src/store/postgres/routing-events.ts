/**
 * PostgreSQL: the routing event log (RoutingEventStore). As with presence history, writers
 * are not serialised: ids come from a sequence and may commit out of order, so each row keeps
 * its transaction id and a reader asks for what committed since its last snapshot
 * (`routingEventChangesSince`); the routing bus (routing-bus.ts) puts that back into id order
 * with the same LogOrder the change bus uses. The rule every writer keeps: its transaction has
 * an id before it takes event ids (see history.ts).
 */
import type pg from "pg";
import type { RoutingEvent, RoutingEventInput } from "../../domain/routing-event.ts";
import type { RoutingEventQuery, RoutingEventStore } from "../routing-events.ts";
import { type RoutingEventRow, routingEventsJson, toRoutingEvent } from "../rows/routing-events.ts";
import { logTransaction } from "./connection.ts";
import type { LogChanges } from "./log-follower.ts";

export const ROUTING_EVENTS_MIGRATION = `
  CREATE TABLE routing_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type            text NOT NULL,
    topic_id        integer NOT NULL,
    chat_session_id integer,
    user_id         integer,
    at              bigint NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}',
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id()
  );
  CREATE INDEX routing_events_topic ON routing_events(topic_id, id);
  CREATE INDEX routing_events_at ON routing_events(at);
  CREATE INDEX routing_events_xid ON routing_events(xid);
  ALTER TABLE webhooks ADD COLUMN event_types text NOT NULL DEFAULT 'presence';
  ALTER TABLE webhook_outbox ADD COLUMN kind text NOT NULL DEFAULT 'presence';
`;

export class PostgresRoutingEvents implements RoutingEventStore {
  constructor(private readonly pool: pg.Pool) {}

  async appendRoutingEvents(events: readonly RoutingEventInput[]): Promise<RoutingEvent[]> {
    if (events.length === 0) return [];
    return logTransaction(this.pool, async (client) => {
      const { rows } = await client.query<RoutingEventRow>(
        `INSERT INTO routing_events (type, topic_id, chat_session_id, user_id, at, detail)
         SELECT e->>'type', (e->>'topic_id')::int, (e->>'chat_session_id')::int,
                (e->>'user_id')::int, (e->>'at')::bigint, e->'detail'
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)
         ORDER BY ord
         RETURNING id, type, topic_id, chat_session_id, user_id, at, detail`,
        [routingEventsJson(events)],
      );
      return rows.map(toRoutingEvent).sort((a, b) => a.id - b.id);
    });
  }

  async routingEventsSince(query: RoutingEventQuery): Promise<RoutingEvent[]> {
    const { rows } = await this.pool.query<RoutingEventRow>(
      `SELECT id, type, topic_id, chat_session_id, user_id, at, detail FROM routing_events
       WHERE id > $1 AND ($2::int[] IS NULL OR topic_id = ANY($2::int[]))
         AND ($4::bigint IS NULL OR at >= $4)
       ORDER BY id LIMIT $3`,
      [query.afterId, query.topicIds ?? null, query.limit, query.since ?? null],
    );
    return rows.map(toRoutingEvent);
  }

  async latestRoutingEventId(): Promise<number> {
    // The newest committed id, not the sequence's: see PostgresHistory.latestHistoryId.
    const { rows } = await this.pool.query<{ id: number }>(
      "SELECT COALESCE(max(id), 0) AS id FROM routing_events",
    );
    return rows[0].id;
  }

  async oldestRoutingEventId(): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number | null }>(
      "SELECT min(id) AS id FROM routing_events",
    );
    return rows[0].id;
  }

  async purgeRoutingEvents(before: number): Promise<number> {
    return (
      (await this.pool.query("DELETE FROM routing_events WHERE at < $1", [before])).rowCount ?? 0
    );
  }

  /** Where the log stands now: this statement's snapshot, for `routingEventChangesSince`. */
  async routingEventPosition(): Promise<string> {
    const { rows } = await this.pool.query<{ position: string }>(
      "SELECT pg_current_snapshot()::text AS position",
    );
    return rows[0].position;
  }

  /**
   * The events whose transaction had not committed in snapshot `position` (found through the
   * xid index), in id order, at most `limit`, above `afterId`; and this read's snapshot.
   */
  async routingEventChangesSince(
    position: string,
    limit: number,
    afterId: number,
  ): Promise<LogChanges<RoutingEvent>> {
    const { rows } = await this.pool.query<RoutingEventRow & { position: string }>(
      `SELECT now.position, r.* FROM (SELECT pg_current_snapshot()::text AS position) now
       LEFT JOIN LATERAL (
         WITH fresh AS MATERIALIZED (
           SELECT id, type, topic_id, chat_session_id, user_id, at, detail FROM routing_events
           WHERE xid >= pg_snapshot_xmin($1::pg_snapshot)
             AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot) AND id > $3)
         SELECT * FROM fresh ORDER BY id LIMIT $2) r ON true`,
      [position, limit, afterId],
    );
    const rowsFound = rows[0].id === null ? [] : rows.map(toRoutingEvent);
    return { rows: rowsFound, position: rows[0].position };
  }
}
