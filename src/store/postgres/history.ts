/** PostgreSQL: the presence history log (HistoryStore). */
import type pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { HistoryQuery, HistoryStore, NewHistoryEntry } from "../history.ts";
import { type HistoryRow, toEvent } from "../rows/history.ts";
import { transaction } from "./connection.ts";

export class PostgresHistory implements HistoryStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /**
   * Appends under a transaction-scoped advisory lock, so ids commit in the order they are
   * given: a reader that has seen id N can never later find a smaller id appear.
   */
  async appendHistory(entries: readonly NewHistoryEntry[]): Promise<PresenceEvent[]> {
    if (entries.length === 0) return [];
    return transaction(this.pool, (client) => this.appendInTransaction(client, entries));
  }

  /** Appends within the caller's transaction, holding the history lock until it commits. */
  async appendInTransaction(
    client: pg.PoolClient,
    entries: readonly NewHistoryEntry[],
  ): Promise<PresenceEvent[]> {
    if (entries.length === 0) return [];
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `chat-presence-history:${this.schema}`,
    ]);
    const rows = await this.insertHistory(client, entries);
    return rows.map(toEvent).sort((a, b) => a.Version - b.Version);
  }

  private async insertHistory(
    client: pg.PoolClient,
    entries: readonly NewHistoryEntry[],
  ): Promise<HistoryRow[]> {
    const { rows } = await client.query<HistoryRow>(
      `INSERT INTO presence_history (user_id, present, ongoing_chats, chat_topics, previous, source, changed_by, at)
       SELECT (e->>'user_id')::int, (e->>'present')::boolean, (e->>'ongoing_chats')::int,
              ARRAY(SELECT jsonb_array_elements_text(e->'chat_topics')::int), NULLIF(e->'previous', 'null'),
              e->>'source', (e->>'changed_by')::int, (e->>'at')::bigint
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)
       ORDER BY ord
       RETURNING *`,
      [
        JSON.stringify(
          entries.map((e) => ({
            user_id: e.UserId,
            present: e.Present,
            ongoing_chats: e.OngoingChats,
            chat_topics: e.ChatTopics,
            previous: e.Previous,
            source: e.Source,
            changed_by: e.ChangedBy,
            at: e.at,
          })),
        ),
      ],
    );
    return rows;
  }

  async queryHistory(query: HistoryQuery): Promise<PresenceEvent[]> {
    const { rows } = await this.pool.query<HistoryRow>(
      `SELECT * FROM presence_history
       WHERE ($1::int IS NULL OR user_id = $1) AND ($2::bigint IS NULL OR at >= $2)
         AND ($3::bigint IS NULL OR at < $3) AND ($4::bigint IS NULL OR id > $4)
       ORDER BY id LIMIT $5`,
      [
        query.userId ?? null,
        query.since ?? null,
        query.until ?? null,
        query.afterId ?? null,
        query.limit,
      ],
    );
    return rows.map(toEvent);
  }

  async oldestHistoryId(): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number | null }>(
      "SELECT min(id) AS id FROM presence_history",
    );
    return rows[0].id;
  }

  async latestHistoryId(): Promise<number> {
    // The newest committed id, not the sequence: a sequence hands out ids before their
    // transaction commits, and a reader that trusted it would skip that entry for ever.
    const { rows } = await this.pool.query<{ id: number }>(
      "SELECT COALESCE(max(id), 0) AS id FROM presence_history",
    );
    return rows[0].id;
  }

  async purgeHistory(before: number): Promise<number> {
    return (
      (await this.pool.query("DELETE FROM presence_history WHERE at < $1", [before])).rowCount ?? 0
    );
  }
}
