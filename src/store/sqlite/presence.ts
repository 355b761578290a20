/** SQLite: presence computed from the directory, and saving Present (PresenceStore). */
import type Database from "better-sqlite3";
import { PresenceError } from "../../domain/errors.ts";
import { ONGOING_STATUSES } from "../../domain/model.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceChange, PresenceStore, SavedPresence, SaveLog } from "../store.ts";
import type { SqliteHistory } from "./history.ts";

const ONGOING_SQL = ONGOING_STATUSES.map((s) => `'${s}'`).join(", ");

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

type Outcome = { ok: true; value: SavedPresence } | { ok: false; error: unknown };

/** Runs each save of a batch; a refusal is that save's answer, anything else aborts the batch. */
function runEach(batch: WaitingSave[]): Outcome[] {
  return batch.map((job) => {
    try {
      return { ok: true, value: job.run() };
    } catch (error) {
      if (error instanceof PresenceError) return { ok: false, error };
      throw error;
    }
  });
}

interface WaitingSave {
  run: () => SavedPresence;
  resolve: (saved: SavedPresence) => void;
  reject: (error: unknown) => void;
}

export class SqlitePresence implements PresenceStore {
  private readonly statements;
  private waiting: WaitingSave[] = [];
  private readonly runBatch: Database.Transaction<(batch: WaitingSave[]) => Outcome[]>;

  constructor(
    db: Database.Database,
    private readonly history: SqliteHistory,
  ) {
    this.runBatch = db.transaction(runEach);
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

  /**
   * Group commit: saves that arrive in the same turn of the event loop share one transaction,
   * and every caller hears back only after the shared commit. A commit costs far more than the
   * rows it writes, so under load this multiplies the save rate without weakening durability.
   * A save is refused (unknown user) before it writes anything, so a refused save needs no
   * savepoint to leave the others untouched; any other failure rolls the whole batch back and
   * every save in it hears of it.
   */
  savePresence(updates: readonly PresenceUpdate[], log?: SaveLog): Promise<SavedPresence> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ run: () => this.saveNow(updates, log), resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.commitWaiting());
    });
  }

  private commitWaiting(): void {
    const batch = this.waiting;
    this.waiting = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.runBatch.immediate(batch);
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  private saveNow(updates: readonly PresenceUpdate[], log?: SaveLog): SavedPresence {
    const { present, setPresent } = this.statements;
    const ids = JSON.stringify(updates.map((u) => u.userId));
    const stored = new Map(present.all(ids) as [number, number][]);
    const changes: PresenceChange[] = [];
    updates.forEach((update, index) => {
      const before = stored.get(update.userId);
      if (before === undefined) {
        throw new PresenceError("PRES_ERR_UNKNOWN_USER", { index, userId: update.userId });
      }
      if ((before === 1) !== update.present)
        changes.push({ ...update, previousPresent: before === 1 });
    });
    for (const value of [true, false]) {
      const targets = changes.filter((c) => c.present === value).map((c) => c.userId);
      if (targets.length > 0) setPresent.run(value ? 1 : 0, JSON.stringify(targets));
    }
    if (!log) return { changes, events: [] };
    const presentIds = updates.filter((u) => u.present).map((u) => u.userId);
    this.history.renewInTransaction(presentIds, log.now, log.ttlSeconds);
    return { changes, events: this.history.appendInTransaction(changes.map(log.describe)) };
  }
}
