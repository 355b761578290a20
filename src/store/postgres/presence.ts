/**
 * PostgreSQL: presence computed from the directory, saving Present, and the heartbeat deadlines
 * and their expiry (PresenceStore).
 */
import type pg from "pg";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceChange, PresenceStore, SavedPresence, SaveLog } from "../presence.ts";
import { ONGOING_SQL } from "../rows/sessions.ts";
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

  async savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence> {
    return transaction(this.pool, async (client) => {
      const ids = updates.map((u) => u.userId);
      // Row locks, taken in id order so two saves over the same users cannot deadlock.
      const { rows } = await client.query<{ id: number; present: boolean }>(
        "SELECT id, present FROM users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
        [ids],
      );
      const before = new Map(rows.map((r) => [r.id, r.present]));
      const changes: PresenceChange[] = [];
      updates.forEach((update, index) => {
        const previous = before.get(update.userId);
        if (previous === undefined)
          throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: update.userId });
        if (previous !== update.present) changes.push({ ...update, previousPresent: previous });
      });
      if (changes.length > 0) {
        await client.query(
          `UPDATE users SET present = v.present
           FROM unnest($1::int[], $2::boolean[]) AS v(id, present) WHERE users.id = v.id`,
          [changes.map((c) => c.userId), changes.map((c) => c.present)],
        );
      }
      if (!log) return { changes, events: [] };
      const presentIds = updates.filter((u) => u.present).map((u) => u.userId);
      await this.renewWith(client, presentIds, log.now, log.ttlSeconds);
      return {
        changes,
        events: await this.history.appendInTransaction(client, changes.map(log.describe)),
      };
    });
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
