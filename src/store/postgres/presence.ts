/**
 * PostgreSQL: presence computed from the directory, saving Present, and the heartbeat deadlines
 * and their expiry (PresenceStore).
 */
import type pg from "pg";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceStore, SavedPresence, SaveLog } from "../presence.ts";
import { ONGOING_SQL } from "../rows/sessions.ts";
import { type Outcome, outcomes, planBatch, settle, type WaitingSave } from "../save-batch.ts";
import { transaction } from "./connection.ts";
import type { PostgresHistory } from "./history.ts";

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
    transaction(this.pool, (client) => this.writeBatch(client, batch))
      .then(
        (result) => settle(batch, result),
        (error: unknown) => settle(batch, { failed: error }),
      )
      .finally(() => {
        this.inFlight--;
        this.commitWaiting();
      });
  }

  private async writeBatch(client: pg.PoolClient, batch: WaitingSave[]): Promise<Outcome[]> {
    const ids = [...new Set(batch.flatMap((job) => job.updates.map((u) => u.userId)))];
    // Row locks, taken in id order so two batches over the same users cannot deadlock. They
    // also give the transaction its id before history takes ids (see history.ts).
    const { rows } = await client.query<{ id: number; present: boolean }>(
      "SELECT id, present FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
      [ids],
    );
    const writes = planBatch(batch, new Map(rows.map((r) => [r.id, r.present])));
    // A node has one default TTL, so its batches have one renewal group: Present and the
    // deadlines then take one statement (a round trip costs more than the rows).
    const [first, ...others] = [...writes.renewals];
    await this.writeUsers(client, writes.written, first?.[1] ?? null, first?.[0] ?? null);
    for (const [ttl, { now, ids: present }] of others)
      await this.renewWith(client, present, now, ttl);
    return outcomes(writes, await this.history.appendInTransaction(client, writes.entries));
  }

  /** Sets Present where it changes and renews the deadlines of `renew.ids` still present after. */
  private async writeUsers(
    client: pg.PoolClient,
    written: Map<number, boolean>,
    renew: { now: number; ids: number[] } | null,
    ttl: number | null,
  ): Promise<void> {
    const renewed = new Set(renew?.ids ?? []);
    const ids = [...new Set([...written.keys(), ...renewed])];
    if (ids.length === 0) return;
    await client.query(
      `UPDATE users u SET present = COALESCE(v.present, u.present),
         present_until = CASE WHEN v.renew AND COALESCE(v.present, u.present)
           THEN $4 + COALESCE(u.presence_ttl, $5::int)::bigint * 1000 ELSE u.present_until END
       FROM unnest($1::int[], $2::boolean[], $3::boolean[]) AS v(id, present, renew)
       WHERE u.id = v.id AND (v.present IS NOT NULL OR (v.renew AND u.present
         -- a deadline that is and stays NULL is not rewritten (an UPDATE is a new row version)
         AND (u.present_until IS NOT NULL OR COALESCE(u.presence_ttl, $5::int) IS NOT NULL)))`,
      [
        ids,
        ids.map((id) => written.get(id) ?? null),
        ids.map((id) => renewed.has(id)),
        renew?.now ?? 0,
        ttl,
      ],
    );
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
