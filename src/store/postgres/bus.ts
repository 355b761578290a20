/**
 * The change bus across nodes. A node that logged changes to history NOTIFYs the newest
 * history id; every node (itself included) then reads the history it has not yet seen and
 * hands those events to its listeners. History is the message log, so a node that lost its
 * LISTEN connection catches up from where it was, without loss, when it reconnects.
 *
 * The same channel carries `user:<id>` from the store's triggers (postgres/migrations.ts) when
 * a user's role, password or name changes, the user is deleted or loses credentials, so every
 * node drops what it cached about that user as the change commits.
 */
import pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { ChangeBus, ChangeListener, UserChangeListener } from "../../events/bus.ts";
import type { HistoryStore } from "../history.ts";

const CATCH_UP_PAGE = 1000;

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
}

export class PostgresBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly userListeners = new Set<UserChangeListener>();
  private client: pg.Client | null = null;
  private lastSeen = 0;
  private catchingUp: Promise<void> = Promise.resolve();
  private closed = false;

  private readonly channel: string;

  private constructor(private readonly options: PostgresBusOptions) {
    this.channel = `chat_presence_${options.schema}`;
  }

  static async start(options: PostgresBusOptions): Promise<PostgresBus> {
    const bus = new PostgresBus(options);
    bus.lastSeen = await options.history.latestHistoryId();
    await bus.listen();
    return bus;
  }

  async publish(events: readonly PresenceEvent[]): Promise<void> {
    if (events.length === 0) return;
    const newest = Math.max(...events.map((e) => e.Version));
    await this.options.pool.query("SELECT pg_notify($1, $2)", [this.channel, String(newest)]);
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
    this.listeners.clear();
    this.userListeners.clear();
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: stripSchema(this.options.url) });
    client.on("notification", (message) => {
      const user = /^user:(\d+)$/.exec(message.payload ?? "");
      if (user) this.userChanged(Number(user[1]));
      else this.catchUp();
    });
    client.on("error", () => this.reconnectLater(client));
    client.on("end", () => this.reconnectLater(client));
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.client = client;
  }

  private reconnectLater(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    const retry = () => {
      setTimeout(async () => {
        try {
          await this.listen();
          // User changes notified while the connection was down are lost: forget them all.
          this.userChanged(null);
          await this.catchUp();
          this.options.onReconnect?.();
        } catch (error) {
          this.options.onError?.(error);
          if (!this.closed) retry();
        }
      }, this.options.reconnectMs ?? 1000).unref();
    };
    retry();
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

  /** Reads every event after the last one delivered; one catch-up at a time, so order holds. */
  private catchUp(): Promise<void> {
    this.catchingUp = this.catchingUp.then(async () => {
      try {
        for (;;) {
          const events = await this.options.history.queryHistory({
            afterId: this.lastSeen,
            limit: CATCH_UP_PAGE,
          });
          if (events.length === 0) return;
          this.lastSeen = events[events.length - 1].Version;
          for (const listener of this.listeners) listener(events);
          if (events.length < CATCH_UP_PAGE) return;
        }
      } catch (error) {
        this.options.onError?.(error);
      }
    });
    return this.catchingUp;
  }
}

/** LISTEN needs no schema; the `schema` parameter is ours, not the driver's. */
function stripSchema(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("schema");
  return parsed.toString();
}
