/**
 * PostgreSQL: the presence history log (HistoryStore).
 *
 * Writers are not serialised: ids come from the table's sequence, so concurrent transactions
 * may commit them out of order. Each row records its transaction id (`xid`), which lets a
 * reader ask for exactly the rows committed since an earlier snapshot (`changesSince`); the
 * change bus (bus.ts) turns that into delivery in id order without skipping an id that is
 * still in flight. That rests on one rule every writer keeps: its transaction has an id
 * before it takes history ids, so a transaction holding an id is in every later snapshot's
 * list of transactions in progress until it ends.
 */
import type pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { HistoryChanges, HistoryQuery, HistoryStore, NewHistoryEntry } from "../history.ts";
import { type HistoryRow, toEvent } from "../rows/history.ts";
import { logTransaction } from "./connection.ts";

export class PostgresHistory implements HistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  async appendHistory(entries: readonly NewHistoryEntry[]): Promise<PresenceEvent[]> {
    if (entries.length === 0) return [];
    return logTransaction(this.pool, async (client) => {
      return this.appendInTransaction(client, entries);
    });
  }

  /**
   * Appends within the caller's transaction, which must already have a transaction id (any
   * row it wrote or locked gave it one; see the file's header for why).
   */
  async appendInTransaction(
    client: pg.PoolClient,
    entries: readonly NewHistoryEntry[],
  ): Promise<PresenceEvent[]> {
    if (entries.length === 0) return [];
    return rowsToEvents(await this.insertHistory(client, entries));
  }

  /**
   * The INSERT of `entries` as one statement with its values written in (for a multi-statement
   * query, which takes no parameters).
   */
  insertStatement(client: pg.PoolClient, entries: readonly NewHistoryEntry[]): string {
    return insertSql(client.escapeLiteral(entriesJson(entries)));
  }

  private async insertHistory(
    client: pg.PoolClient,
    entries: readonly NewHistoryEntry[],
  ): Promise<HistoryRow[]> {
    const { rows } = await client.query<HistoryRow>(insertSql("$1"), [entriesJson(entries)]);
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

  async historyPosition(): Promise<string> {
    const { rows } = await this.pool.query<{ position: string }>(
      "SELECT pg_current_snapshot()::text AS position",
    );
    return rows[0].position;
  }

  /**
   * The rows whose transaction had not committed in the snapshot `position` (found through
   * the xid index: they all have xids from that snapshot's xmin on), whether the directory
   * changed since (the same test on directory_changes, which triggers fill; or the position
   * is older than changes purged since), and this statement's own snapshot as the next position.
   */
  async changesSince(position: string, limit: number, afterId = 0): Promise<HistoryChanges> {
    const { rows } = await this.pool.query<
      HistoryRow & { position: string; directory_changed: boolean }
    >(
      `SELECT now.position, EXISTS (
           SELECT 1 FROM directory_changes
           WHERE xid >= pg_snapshot_xmin($1::pg_snapshot)
             AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot))
         OR pg_snapshot_xmin($1::pg_snapshot) <= (SELECT xid FROM directory_changes_purged)
         AS directory_changed, h.*
       FROM (SELECT pg_current_snapshot()::text AS position) now
       LEFT JOIN LATERAL (
         -- Materialized so the rows are found through the xid index and then sorted: ordered
         -- by id with a LIMIT, the planner would walk the primary key from the first row.
         WITH fresh AS MATERIALIZED (
           SELECT * FROM presence_history
           WHERE xid >= pg_snapshot_xmin($1::pg_snapshot)
             AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot) AND id > $3)
         SELECT * FROM fresh ORDER BY id LIMIT $2) h ON true`,
      [position, limit, afterId],
    );
    const events = rows[0].id === null ? [] : rows.map(toEvent);
    return { events, position: rows[0].position, directoryChanged: rows[0].directory_changed };
  }

  /** Also forgets directory changes noted before `before`, remembering the newest it dropped. */
  async purgeHistory(before: number): Promise<number> {
    await this.pool.query(
      `WITH gone AS (DELETE FROM directory_changes WHERE at < $1 RETURNING xid)
       UPDATE directory_changes_purged SET xid = greatest(xid, (SELECT max(xid) FROM gone))
       WHERE EXISTS (SELECT 1 FROM gone)`,
      [before],
    );
    return (
      (await this.pool.query("DELETE FROM presence_history WHERE at < $1", [before])).rowCount ?? 0
    );
  }
}

/** The INSERT of history entries given as `json` (a parameter or a literal), returning the rows. */
function insertSql(json: string): string {
  return `INSERT INTO presence_history (user_id, present, ongoing_chats, chat_topics, previous, source, changed_by, at)
    SELECT (e->>'user_id')::int, (e->>'present')::boolean, (e->>'ongoing_chats')::int,
           ARRAY(SELECT jsonb_array_elements_text(e->'chat_topics')::int), NULLIF(e->'previous', 'null'),
           e->>'source', (e->>'changed_by')::int, (e->>'at')::bigint
    FROM jsonb_array_elements(${json}::jsonb) WITH ORDINALITY AS t(e, ord)
    ORDER BY ord
    RETURNING *`;
}

function entriesJson(entries: readonly NewHistoryEntry[]): string {
  return JSON.stringify(
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
  );
}

/** History rows as events, in id order. */
function rowsToEvents(rows: HistoryRow[]): PresenceEvent[] {
  return rows.map(toEvent).sort((a, b) => a.Version - b.Version);
}
