/**
 * The change bus across nodes. A node that logged changes to history NOTIFYs; every node
 * (itself included) then reads the history committed since its last read and hands the events
 * to its listeners in id order, holding back rows above an id still in flight (log-follower.ts).
 * History is the message log, so a node that lost its LISTEN connection, or a notification
 * that never came (a CLI process does not notify), costs at most one poll interval, not events.
 *
 * The same channel carries `user:<id>` from the store's triggers (postgres/migrations.ts) when
 * a user's role, password or name changes, the user is deleted or loses credentials, so every
 * node drops what it cached about that user as the change commits.
 */
import type pg from "pg";
import type { PresenceEvent } from "../../domain/presence.ts";
import type { ChangeBus, ChangeListener, UserChangeListener } from "../../events/bus.ts";
import type { HistoryStore } from "../history.ts";
import { ListenConnection } from "./listen.ts";
import { type FollowedLog, LogFollower } from "./log-follower.ts";

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

/** Presence history as a log to follow. */
function historyLog(history: HistoryStore): FollowedLog<PresenceEvent> {
  return {
    latestId: () => history.latestHistoryId(),
    position: () => history.historyPosition(),
    async changesSince(position, limit, afterId) {
      const page = await history.changesSince(position, limit, afterId);
      return { rows: page.events, position: page.position };
    },
    idOf: (event) => event.Version,
  };
}

export class PostgresBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly userListeners = new Set<UserChangeListener>();
  private connection: ListenConnection | null = null;
  private follower: LogFollower<PresenceEvent> | null = null;
  /** A NOTIFY in flight, and whether another must follow it. */
  private notifying: Promise<void> | null = null;
  private notifyAgain = false;

  private readonly channel: string;

  private constructor(private readonly options: PostgresBusOptions) {
    this.channel = `chat_presence_${options.schema}`;
  }

  static async start(options: PostgresBusOptions): Promise<PostgresBus> {
    const bus = new PostgresBus(options);
    bus.follower = await LogFollower.start(
      historyLog(options.history),
      (events) => {
        for (const listener of bus.listeners) listener(events);
      },
      options,
      () => bus.listen(),
    );
    return bus;
  }

  /** Every Version up to this one has been handed to the listeners, in order (0 at first). */
  delivered(): number {
    return this.follower?.delivered() ?? 0;
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
          const db = this.connection?.client ?? this.options.pool;
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
    this.follower?.close();
    this.listeners.clear();
    this.userListeners.clear();
    await this.connection?.close();
  }

  private async listen(): Promise<void> {
    this.connection = await ListenConnection.open({
      ...this.options,
      channel: this.channel,
      setup: ["SET synchronous_commit = off"],
      onPayload: (payload, own) => {
        // Our own wake-up, sent on this connection: publish has read the news already.
        if (own) return;
        const user = /^user:(\d+)$/.exec(payload);
        if (user) this.userChanged(Number(user[1]));
        else this.catchUp();
      },
      onBack: async () => {
        // User changes notified while the connection was down are lost: forget them all.
        this.userChanged(null);
        await this.catchUp();
        this.options.onReconnect?.();
      },
    });
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

  private catchUp(): Promise<void> {
    return this.follower?.catchUp() ?? Promise.resolve();
  }
}
