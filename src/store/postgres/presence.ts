/**
 * PostgreSQL: presence computed from the directory, saving Present, and the heartbeat deadlines
 * and their expiry (PresenceStore).
 */
import type pg from "pg";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceStore, SavedPresence, SaveLog } from "../presence.ts";
import { eventsOf } from "../rows/history.ts";
import { ONGOING_SQL } from "../rows/sessions.ts";
import { type Outcome, outcomes, planBatch, settle, type WaitingSave } from "../save-batch.ts";
import { translate } from "./connection.ts";
import type { PostgresHistory } from "./history.ts";
import { withOutboxEntry } from "./webhooks.ts";

type Inserted = { id: number; enqueued: boolean };

const PRESENCE_COLUMNS = `
  SELECT u.id AS "UserId", u.display_name AS "DisplayName", u.present AS "Present",
    (SELECT count(*)::int FROM sessions s
      WHERE s.user_id = u.id AND s.status IN (${ONGOING_SQL})) AS "OngoingChats",
    COALESCE((SELECT array_agg(m.topic_id ORDER BY m.topic_id) FROM topic_members m
      WHERE m.user_id = u.id AND (m.can_listen OR m.can_respond OR m.can_manage OR m.can_notify)),
      '{}') AS "ChatTopics"
  FROM users u`;

/** Batches a node writes at once: one in its commit while the next is being written. */
const BATCHES_IN_FLIGHT = 2;

export class PostgresPresence implements PresenceStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly history: PostgresHistory,
  ) {}

  async listPresence(): Promise<ChatPresence[]> {
    return (await this.pool.query<ChatPresence>(`${PRESENCE_COLUMNS} ORDER BY u.id`)).rows;
  }

  async presenceOf(userIds: readonly number[]): Promise<ChatPresence[]> {
    const sql = `${PRESENCE_COLUMNS} WHERE u.id = ANY($1::int[]) ORDER BY u.id`;
    return (await this.pool.query<ChatPresence>(sql, [userIds])).rows;
  }

  async existingUserIds(ids: readonly number[]): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ id: number }>(
      "SELECT id FROM users WHERE id = ANY($1::int[])",
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  private waiting: WaitingSave[] = [];
  private inFlight = 0;

  /**
   * Group commit (save-batch.ts): saves arriving while the node's batches are being written
   * form the next batch, so the busier the node, the more saves share each commit.
   */
  savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ updates, log, resolve, reject });
      if (this.waiting.length === 1 && this.inFlight < BATCHES_IN_FLIGHT)
        setImmediate(() => this.commitWaiting());
    });
  }

  private commitWaiting(): void {
    if (this.waiting.length === 0 || this.inFlight >= BATCHES_IN_FLIGHT) return;
    const batch = this.waiting;
    this.waiting = [];
    this.inFlight++;
    this.writeBatch(batch)
      .then(
        (result) => settle(batch, result),
        (error: unknown) => settle(batch, { failed: error }),
      )
      .finally(() => {
        this.inFlight--;
        this.commitWaiting();
      });
  }

  /**
   * One batch in two round trips: BEGIN with the row locks, then every write (the webhook
   * outbox entry too) with the COMMIT (a round trip costs more than the statements).
   * Multi-statement queries take no parameters, so values are written as literals: numbers
   * and booleans of our own, and JSON the driver escapes.
   */
  private async writeBatch(batch: WaitingSave[]): Promise<Outcome[]> {
    const client = await this.pool.connect();
    try {
      const ids = [...new Set(batch.flatMap((job) => job.updates.map((u) => u.userId)))];
      // Row locks, taken in id order so two batches over the same users cannot deadlock. They
      // also give the transaction its id before history takes ids (see history.ts).
      const [, locked] = (await client.query(
        `BEGIN; SELECT id, present FROM users WHERE id = ANY(${intArray(ids)}) ORDER BY id FOR UPDATE`,
      )) as unknown as pg.QueryResult<{ id: number; present: boolean }>[];
      const writes = planBatch(batch, new Map(locked.rows.map((r) => [r.id, r.present])));
      const statements = userWrites(writes.written, [...writes.renewals]);
      if (writes.entries.length > 0) {
        const insert = this.history.insertStatement(client, writes.entries);
        statements.push(withOutboxEntry(insert, Date.now()));
      }
      const results = await client.query([...statements, "COMMIT"].join(";\n"));
      const list = (Array.isArray(results) ? results : [results]) as pg.QueryResult<Inserted>[];
      const inserted = writes.entries.length > 0 ? list[list.length - 2].rows : [];
      // One session's ids from a sequence increase: the i-th row inserted has the i-th smallest.
      const versions = inserted.map((row) => row.id).sort((a, b) => a - b);
      const events = eventsOf(writes.entries, (i) => versions[i]);
      return outcomes(writes, events, inserted[0]?.enqueued ?? false);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw translate(error);
    } finally {
      client.release();
    }
  }

  async renewPresence(
    userIds: readonly number[],
    now: number,
    defaultTtlSeconds: number | null,
  ): Promise<void> {
    await this.renewWith(this.pool, userIds, now, defaultTtlSeconds);
  }

  private async renewWith(
    db: pg.Pool | pg.PoolClient,
    userIds: readonly number[],
    now: number,
    defaultTtlSeconds: number | null,
  ): Promise<void> {
    if (userIds.length === 0) return;
    await db.query(
      `UPDATE users SET present_until = $2 + COALESCE(presence_ttl, $3::int)::bigint * 1000
       WHERE id = ANY($1::int[]) AND present
         -- a deadline that is and stays NULL is not rewritten (an UPDATE is a new row version)
         AND (present_until IS NOT NULL OR COALESCE(presence_ttl, $3::int) IS NOT NULL)`,
      [userIds, now, defaultTtlSeconds],
    );
  }

  async expirePresence(now: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(
      `UPDATE users SET present = false, present_until = NULL
       WHERE present AND present_until IS NOT NULL AND present_until <= $1 RETURNING id`,
      [now],
    );
    return rows.map((r) => r.id);
  }
}

const intArray = (ids: readonly number[]) =>
  `'{${ids.map((id) => Math.trunc(id)).join(",")}}'::int[]`;
const boolArray = (values: readonly (boolean | null)[]) =>
  `'{${values.map((v) => (v === null ? "NULL" : v ? "t" : "f")).join(",")}}'::boolean[]`;
const numberOrNull = (n: number | null) => (n === null ? "NULL" : String(Math.trunc(n)));

/**
 * Present where it changes and the deadlines of users still present after, for the first
 * renewal group in the same UPDATE (a node has one default TTL, so a batch has one group), any
 * other group in one more. A deadline that is and stays NULL is not rewritten: an UPDATE is a
 * new row version.
 */
function userWrites(
  written: Map<number, boolean>,
  renewals: [number | null, { now: number; ids: number[] }][],
): string[] {
  const [first, ...others] = renewals;
  const renewed = new Set(first?.[1].ids ?? []);
  const ids = [...new Set([...written.keys(), ...renewed])];
  const ttl = numberOrNull(first?.[0] ?? null);
  const statements: string[] = [];
  if (ids.length > 0)
    statements.push(`UPDATE users u SET present = COALESCE(v.present, u.present),
      present_until = CASE WHEN v.renew AND COALESCE(v.present, u.present)
        THEN ${numberOrNull(first?.[1].now ?? 0)} + COALESCE(u.presence_ttl, ${ttl}::int)::bigint * 1000
        ELSE u.present_until END
      FROM unnest(${intArray(ids)}, ${boolArray(ids.map((id) => written.get(id) ?? null))},
        ${boolArray(ids.map((id) => renewed.has(id)))}) AS v(id, present, renew)
      WHERE u.id = v.id AND (v.present IS NOT NULL OR (v.renew AND u.present
        AND (u.present_until IS NOT NULL OR COALESCE(u.presence_ttl, ${ttl}::int) IS NOT NULL)))`);
  for (const [groupTtl, { now, ids: present }] of others) {
    const groupTtlSql = `${numberOrNull(groupTtl)}::int`;
    statements.push(`UPDATE users SET present_until = ${numberOrNull(now)} + COALESCE(presence_ttl, ${groupTtlSql})::bigint * 1000
      WHERE id = ANY(${intArray(present)}) AND present
        AND (present_until IS NOT NULL OR COALESCE(presence_ttl, ${groupTtlSql}) IS NOT NULL)`);
  }
  return statements;
}
