/**
 * SQLite: presence computed from the directory, saving Present, and the heartbeat deadlines
 * and their expiry (PresenceStore).
 */
import type Database from "better-sqlite3";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceStore, SavedPresence, SaveLog } from "../presence.ts";
import { eventsOf } from "../rows/history.ts";
import { ONGOING_SQL } from "../rows/sessions.ts";
import { type Outcome, outcomes, planBatch, settle, type WaitingSave } from "../save-batch.ts";
import type { SqliteHistory } from "./history.ts";
import type { SqliteWebhooks } from "./webhooks.ts";

const PRESENCE_COLUMNS = `
  SELECT u.id, u.display_name, u.present,
    (SELECT COUNT(*) FROM sessions s
      WHERE s.user_id = u.id AND s.status IN (${ONGOING_SQL})) AS ongoing,
    (SELECT group_concat(topic_id) FROM (
      SELECT m.topic_id FROM topic_members m
      WHERE m.user_id = u.id AND (m.can_listen OR m.can_respond OR m.can_manage OR m.can_notify)
      ORDER BY m.topic_id)) AS topics
  FROM users u`;

type PresenceRow = [number, string, number, number, string | null];

function toPresence([id, name, present, ongoing, topics]: PresenceRow): ChatPresence {
  return {
    UserId: id,
    DisplayName: name,
    OngoingChats: ongoing,
    Present: present === 1,
    ChatTopics: topics ? topics.split(",").map(Number) : [],
  };
}

export class SqlitePresence implements PresenceStore {
  private readonly statements;
  private waiting: WaitingSave[] = [];
  private readonly runBatch: Database.Transaction<(batch: WaitingSave[]) => Outcome[]>;

  constructor(
    private readonly db: Database.Database,
    private readonly history: SqliteHistory,
    private readonly webhooks: SqliteWebhooks,
  ) {
    this.runBatch = db.transaction((batch: WaitingSave[]) => this.applyBatch(batch));
    this.statements = {
      presence: db.prepare(`${PRESENCE_COLUMNS} ORDER BY u.id`).raw(),
      presenceOf: db
        .prepare(`${PRESENCE_COLUMNS} WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.id`)
        .raw(),
      existing: db
        .prepare("SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))")
        .pluck(),
      present: db
        .prepare("SELECT id, present FROM users WHERE id IN (SELECT value FROM json_each(?))")
        .raw(),
      setPresent: db.prepare(
        "UPDATE users SET present = ? WHERE id IN (SELECT value FROM json_each(?))",
      ),
      // One statement for the whole list of users: a statement per user cost more than the rows.
      renew: db.prepare(
        `UPDATE users SET present_until = CASE
           WHEN COALESCE(presence_ttl, @ttl) IS NULL THEN NULL
           ELSE @now + COALESCE(presence_ttl, @ttl) * 1000 END
         WHERE present = 1 AND id IN (SELECT value FROM json_each(@ids))
           -- a deadline that is and stays NULL is not rewritten (without TTLs, no row is)
           AND (present_until IS NOT NULL OR COALESCE(presence_ttl, @ttl) IS NOT NULL)`,
      ),
      expire: db.prepare(
        `UPDATE users SET present = 0, present_until = NULL
         WHERE present = 1 AND present_until IS NOT NULL AND present_until <= ? RETURNING id`,
      ),
    };
  }

  async listPresence(): Promise<ChatPresence[]> {
    return (this.statements.presence.all() as PresenceRow[]).map(toPresence);
  }

  async presenceOf(userIds: readonly number[]): Promise<ChatPresence[]> {
    return (this.statements.presenceOf.all(JSON.stringify(userIds)) as PresenceRow[]).map(
      toPresence,
    );
  }

  async existingUserIds(ids: readonly number[]): Promise<Set<number>> {
    // One statement for the whole list: a query per id cost more than the save itself.
    return new Set(this.statements.existing.all(JSON.stringify(ids)) as number[]);
  }

  /** Group commit (save-batch.ts): saves arriving in the same turn of the event loop. */
  savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ updates, log, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.commitWaiting());
    });
  }

  private commitWaiting(): void {
    const batch = this.waiting;
    this.waiting = [];
    let result: Outcome[];
    try {
      result = this.runBatch.immediate(batch);
    } catch (error) {
      settle(batch, { failed: error });
      return;
    }
    settle(batch, result);
  }

  /**
   * One statement per kind of write for the whole batch, not per save: reading, setting Present,
   * renewing deadlines, logging history and the webhook outbox entry each cost more per
   * statement than per row.
   */
  private applyBatch(batch: WaitingSave[]): Outcome[] {
    const ids = JSON.stringify(batch.flatMap((job) => job.updates.map((u) => u.userId)));
    const stored = this.statements.present.all(ids) as [number, number][];
    const writes = planBatch(batch, new Map(stored.map(([id, present]) => [id, present === 1])));
    this.setPresent(writes.written);
    for (const [ttl, { now, ids }] of writes.renewals) this.renewInTransaction(ids, now, ttl);
    const firstId = this.history.insertInTransaction(writes.entries);
    const events = eventsOf(writes.entries, (i) => firstId + i);
    return outcomes(writes, events, this.webhooks.enqueueInTransaction(events, Date.now()));
  }

  private setPresent(written: Map<number, boolean>): void {
    for (const value of [true, false]) {
      const targets = [...written].filter(([, present]) => present === value).map(([id]) => id);
      if (targets.length > 0)
        this.statements.setPresent.run(value ? 1 : 0, JSON.stringify(targets));
    }
  }

  async renewPresence(
    userIds: readonly number[],
    now: number,
    defaultTtlSeconds: number | null,
  ): Promise<void> {
    if (userIds.length === 0) return;
    this.db.transaction(() => this.renewInTransaction(userIds, now, defaultTtlSeconds))();
  }

  renewInTransaction(userIds: readonly number[], now: number, ttl: number | null): void {
    if (userIds.length > 0) this.statements.renew.run({ ids: JSON.stringify(userIds), now, ttl });
  }

  async expirePresence(now: number): Promise<number[]> {
    return (this.statements.expire.all(now) as { id: number }[]).map((r) => r.id);
  }
}
