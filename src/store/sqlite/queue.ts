/** SQLite: the queue's reads (QueueStore), prepared once. */
import type Database from "better-sqlite3";
import type { QueueEntry, QueueFigures, QueueStore, ResponderLoad } from "../queue.ts";
import {
  presentRespondersSql,
  type QueueEntryRow,
  type QueueFiguresRow,
  queueFiguresSql,
  type ResponderLoadRow,
  responderLoadsSql,
  topicQueueSql,
  toQueueEntry,
  toQueueFigures,
  toResponderLoad,
} from "../rows/queue.ts";

export class SqliteQueue implements QueueStore {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      queue: db.prepare(topicQueueSql("@topic")),
      present: db.prepare(presentRespondersSql("@topic", "@now")).pluck(),
      figures: db.prepare(queueFiguresSql("@topic")),
      loads: db.prepare(responderLoadsSql("@now")),
    };
  }

  async topicQueue(topicId: number): Promise<QueueEntry[]> {
    return (this.sql.queue.all({ topic: topicId }) as QueueEntryRow[]).map(toQueueEntry);
  }

  async presentResponders(topicId: number, now: number): Promise<number> {
    return this.sql.present.get({ topic: topicId, now }) as number;
  }

  async queueFigures(topicId: number | null): Promise<QueueFigures[]> {
    return (this.sql.figures.all({ topic: topicId }) as QueueFiguresRow[]).map(toQueueFigures);
  }

  async responderLoads(now: number): Promise<ResponderLoad[]> {
    return (this.sql.loads.all({ now }) as ResponderLoadRow[]).map(toResponderLoad);
  }
}
