/**
 * Follows a PostgreSQL log whose ids come from a sequence (presence history, routing events):
 * reads what committed since the last read, in pages all from that read's snapshot, and hands
 * the rows on in id order, holding back rows above an id still in flight (history-order.ts).
 * The log is the message: a notification only says "read now", and a lost one costs at most
 * one poll interval, never a row. The change bus and the routing bus each follow one log.
 */
import { LogOrder, snapshotBounds } from "./history-order.ts";

const CATCH_UP_PAGE = 1000;
/** How soon a read held back by a missing id looks again (a rollback sends no notification). */
const RECHECK_MS = 20;
/** How long start waits for writes in flight at start to end before it serves anyway. */
const START_WAIT_MS = 500;

/** What one read found: the rows (any order) and the read's own snapshot, the next position. */
export interface LogChanges<T> {
  rows: T[];
  position: string;
}

export interface FollowedLog<T> {
  /** The newest committed id, 0 when none. */
  latestId(): Promise<number>;
  /** The current snapshot, as text. */
  position(): Promise<string>;
  /** Rows committed since `position`, at most `limit`, with ids above `afterId`. */
  changesSince(position: string, limit: number, afterId: number): Promise<LogChanges<T>>;
  idOf(row: T): number;
}

export interface LogFollowerOptions {
  /** Reads this often even without notifications, ms (default 500). */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class LogFollower<T> {
  private order: LogOrder<T>;
  /** The snapshot of the last read: the next read asks for rows committed since. */
  private position = "";
  private catchingUp: Promise<void> = Promise.resolve();
  private readQueued = false;
  private closed = false;
  private poll: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;

  private constructor(
    private readonly log: FollowedLog<T>,
    private readonly deliver: (rows: T[]) => void,
    private readonly options: LogFollowerOptions,
  ) {
    this.order = new LogOrder(log.idOf, 0);
  }

  /**
   * Starts from the newest id, read before the snapshot the reads continue from: whatever holds
   * a smaller id is then in flight in that snapshot, and is delivered once it commits.
   * `connected` runs once that position is taken (where a bus starts to LISTEN).
   */
  static async start<T>(
    log: FollowedLog<T>,
    deliver: (rows: T[]) => void,
    options: LogFollowerOptions,
    connected: () => Promise<void> = async () => {},
  ): Promise<LogFollower<T>> {
    const follower = new LogFollower(log, deliver, options);
    const newest = await log.latestId();
    follower.position = await log.position();
    follower.order = new LogOrder(log.idOf, newest, snapshotBounds(follower.position).xmax);
    await connected();
    const until = Date.now() + START_WAIT_MS;
    while (follower.order.waiting && Date.now() < until) {
      await follower.catchUp();
      if (follower.order.waiting) await new Promise((r) => setTimeout(r, 10));
    }
    follower.poll = setInterval(() => void follower.catchUp(), options.pollMs ?? 500);
    follower.poll.unref();
    return follower;
  }

  /** Every id up to this one has been handed on, in order (0 at first). */
  delivered(): number {
    return this.order.position;
  }

  /**
   * Reads what committed since the last read and delivers what is in order. One read at a
   * time, so order holds; a read asked for while one runs is merged into the one after it.
   */
  catchUp(): Promise<void> {
    if (this.readQueued) return this.catchingUp;
    this.readQueued = true;
    this.catchingUp = this.catchingUp.then(async () => {
      this.readQueued = false;
      try {
        await this.readOnce();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (this.order.waiting && !this.closed) {
        clearTimeout(this.recheck);
        this.recheck = setTimeout(() => void this.catchUp(), RECHECK_MS);
        this.recheck.unref();
      }
    });
    return this.catchingUp;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.recheck);
  }

  private async readOnce(): Promise<void> {
    const since = this.position;
    let next: string | null = null;
    let afterId = 0;
    for (;;) {
      const page = await this.log.changesSince(since, CATCH_UP_PAGE, afterId);
      next ??= page.position;
      const rows = this.order.add(page.rows, snapshotBounds(page.position));
      if (rows.length > 0 && !this.closed) this.deliver(rows);
      if (page.rows.length < CATCH_UP_PAGE) break;
      afterId = this.log.idOf(page.rows[page.rows.length - 1]);
    }
    this.position = next;
  }
}
