/** PostgreSQL: the queue's reads (QueueStore); plain reads, any node may make them. */
import type pg from "pg";
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

export class PostgresQueue implements QueueStore {
  constructor(private readonly pool: pg.Pool) {}

  async topicQueue(topicId: number): Promise<QueueEntry[]> {
    const { rows } = await this.pool.query<QueueEntryRow>(topicQueueSql("$1::int"), [topicId]);
    return rows.map(toQueueEntry);
  }

  async presentResponders(topicId: number, now: number): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      presentRespondersSql("$1::int", "$2::bigint"),
      [topicId, now],
    );
    return Number(rows[0].count);
  }

  async queueFigures(topicId: number | null): Promise<QueueFigures[]> {
    const { rows } = await this.pool.query<QueueFiguresRow>(queueFiguresSql("$1::int"), [topicId]);
    return rows.map(toQueueFigures);
  }

  async responderLoads(now: number): Promise<ResponderLoad[]> {
    const { rows } = await this.pool.query<ResponderLoadRow>(responderLoadsSql("$1::bigint"), [
      now,
    ]);
    return rows.map(toResponderLoad);
  }
}
