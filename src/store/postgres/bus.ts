/**
 * The change bus across nodes. A node that logged changes to history NOTIFYs; every node
 * (itself included) then reads the history committed since its last read and hands the events
 * to its listeners in id order, holding back rows above an id still in flight (history-order.ts).
 * History is the message log, so a node that lost its LISTEN connection, or a notification
 * that never came (a CLI process does not notify), costs at most one poll interval, not events.
 *
 * The same channel carries `user:<id>` from the store's triggers (postgres/migrations.ts) when
 * a user's role, password or name changes, the user is deleted or loses credentials, so every
 * node drops what it cached about that user as the change commits.
 */
import pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { ChangeBus, ChangeListener, UserChangeListener } from "../../events/bus.ts";
import type { HistoryStore } from "../history.ts";
import { retryUntilDone } from "./connection.ts";
import { HistoryOrder, snapshotBounds } from "./history-order.ts";

const CATCH_UP_PAGE = 1000;
/** How soon a read held back by a missing id looks again (a rollback sends no notification). */
const RECHECK_MS = 20;
/** How long start waits for writes in flight at start to end before it serves anyway. */
const START_WAIT_MS = 500;

export interface PostgresBusOptions {
  url: string;
  /** Nodes on the same schema share a channel; other schemas in the database are not heard. */
  schema: string;
  pool: pg.Pool;
  history: HistoryStore;
  /** Delay before reconnecting the LISTEN connection after it drops. */
  reconnectMs?: number;
  onError?: (error: unknown) => void;
  /** Called after a lost LISTEN connection is back (and the node has caught up). */
  onReconnect?: () => void;
  /** Reads history this often even without notifications, ms (default 500). */
  pollMs?: number;
}

export class PostgresBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly userListeners = new Set<UserChangeListener>();
  private client: pg.Client | null = null;
  private order = new HistoryOrder(0);
  /** The snapshot of the last read: the next read asks for rows committed since. */
  private position = "";
  private catchingUp: Promise<void> = Promise.resolve();
  private closed = false;
  private poll: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  /** A NOTIFY in flight, and whether another must follow it. */
  private notifying: Promise<void> | null = null;
  private notifyAgain = false;

  private readonly channel: string;

  private constructor(private readonly options: PostgresBusOptions) {
    this.channel = `chat_presence_${options.schema}`;
  }

  /**
   * Starts from the newest id, read before the snapshot the reads continue from: whatever holds
   * a smaller id is then in flight in that snapshot, and is delivered once it commits.
   */
  static async start(options: PostgresBusOptions): Promise<PostgresBus> {
    const bus = new PostgresBus(options);
    const newest = await options.history.latestHistoryId();
    bus.position = await options.history.historyPosition();
    bus.order = new HistoryOrder(newest, snapshotBounds(bus.position).xmax);
    await bus.listen();
    const until = Date.now() + START_WAIT_MS;
    while (bus.order.waiting && bus.position && Date.now() < until) {
      await bus.catchUp();
      if (bus.order.waiting) await new Promise((r) => setTimeout(r, 10));
    }
    bus.poll = setInterval(() => void bus.catchUp(), options.pollMs ?? 500);
    bus.poll.unref();
    return bus;
  }

  /** Every Version up to this one has been handed to the listeners, in order (0 at first). */
  delivered(): number {
    return this.order.position;
  }

  /**
   * Tells every node, and reads the news here at once rather than waiting for the notification
   * to come back. The save that publishes does not wait: it is already durable and in the next
   * answer of every node (their reads check history), and a lost notification costs one poll.
   * One NOTIFY at a time, those asked for meanwhile becoming one more, sent on the LISTEN
   * connection, where commits do not wait for the disk (a notification is not data).
   */
  async publish(events: readonly PresenceEvent[]): Promise<void> {
    if (events.length === 0) return;
    void this.catchUp();
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = (async () => {
      try {
        do {
          this.notifyAgain = false;
          const db = this.client ?? this.options.pool;
          await db.query("SELECT pg_notify($1, '')", [this.channel]);
        } while (this.notifyAgain);
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.notifying = null;
      }
    })();
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onUserChange(listener: UserChangeListener): () => void {
    this.userListeners.add(listener);
    return () => this.userListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.recheck);
    this.listeners.clear();
    this.userListeners.clear();
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: stripSchema(this.options.url) });
    let ownPid = 0;
    client.on("notification", (message) => {
      // Our own wake-up, sent on this connection: publish has read the news already.
      if (message.processId === ownPid) return;
      const user = /^user:(\d+)$/.exec(message.payload ?? "");
      if (user) this.userChanged(Number(user[1]));
      else this.catchUp();
    });
    client.on("error", () => this.reconnectLater(client));
    client.on("end", () => this.reconnectLater(client));
    await client.connect();
    await client.query("SET synchronous_commit = off");
    ownPid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private reconnectLater(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    retryUntilDone(
      async () => {
        await this.listen();
        // User changes notified while the connection was down are lost: forget them all.
        this.userChanged(null);
        await this.catchUp();
        this.options.onReconnect?.();
      },
      this.options.reconnectMs ?? 1000,
      () => !this.closed,
      this.options.onError,
    );
  }

  private userChanged(userId: number | null): void {
    for (const listener of this.userListeners) {
      try {
        listener(userId);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  /**
   * Reads what committed since the last read (in pages, all from the last read's snapshot) and
   * delivers what is in order. One read at a time, so order holds; a read asked for while one
   * runs is merged into the one after it.
   */
  private catchUp(): Promise<void> {
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

  private readQueued = false;

  private async readOnce(): Promise<void> {
    const since = this.position;
    let next: string | null = null;
    let afterId = 0;
    for (;;) {
      const page = await this.options.history.changesSince(since, CATCH_UP_PAGE, afterId);
      next ??= page.position;
      const events = this.order.add(page.events, snapshotBounds(page.position));
      if (events.length > 0) for (const listener of this.listeners) listener(events);
      if (page.events.length < CATCH_UP_PAGE) break;
      afterId = page.events[page.events.length - 1].Version;
    }
    this.position = next;
  }
}

/** LISTEN needs no schema; the `schema` parameter is ours, not the driver's. */
function stripSchema(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("schema");
  return parsed.toString();
}
