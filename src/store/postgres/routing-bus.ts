/**
 * The routing bus across nodes: a node that recorded routing events NOTIFYs the schema's
 * routing channel, and every node that has listeners (itself included) reads the log since its
 * last read and hands the events on in id order (log-follower.ts). A node starts to LISTEN
 * only when its first listener subscribes, so a node nobody streams routing from holds no
 * connection for it.
 */
import type pg from "pg";
import type { RoutingEvent } from "../../domain/routing-event.ts";
import type { RoutingEventBus, RoutingListener } from "../../events/routing.ts";
import { ListenConnection } from "./listen.ts";
import { type FollowedLog, LogFollower } from "./log-follower.ts";
import type { PostgresRoutingEvents } from "./routing-events.ts";

export interface PostgresRoutingBusOptions {
  url: string;
  /** Nodes on the same schema share a channel; other schemas in the database are not heard. */
  schema: string;
  pool: pg.Pool;
  log: PostgresRoutingEvents;
  reconnectMs?: number;
  pollMs?: number;
  onError?: (error: unknown) => void;
}

/** The routing event log as a log to follow. */
function routingLog(log: PostgresRoutingEvents): FollowedLog<RoutingEvent> {
  return {
    latestId: () => log.latestRoutingEventId(),
    position: () => log.routingEventPosition(),
    changesSince: (position, limit, afterId) =>
      log.routingEventChangesSince(position, limit, afterId),
    idOf: (event) => event.id,
  };
}

export class PostgresRoutingBus implements RoutingEventBus {
  private readonly listeners = new Set<RoutingListener>();
  private readonly channel: string;
  private started: Promise<void> | null = null;
  private follower: LogFollower<RoutingEvent> | null = null;
  private connection: ListenConnection | null = null;
  private closed = false;

  constructor(private readonly options: PostgresRoutingBusOptions) {
    this.channel = `chat_routing_${options.schema}`;
  }

  async publish(events: readonly RoutingEvent[]): Promise<void> {
    if (events.length === 0) return;
    void this.follower?.catchUp();
    await this.options.pool.query("SELECT pg_notify($1, '')", [this.channel]);
  }

  async subscribe(listener: RoutingListener): Promise<() => void> {
    // Shutting down: a new LISTEN connection now would outlive the close.
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    try {
      this.started ??= this.start();
      await this.started;
    } catch (error) {
      // A failed start is tried again by the next subscriber.
      this.started = null;
      this.listeners.delete(listener);
      throw error;
    }
    return () => this.listeners.delete(listener);
  }

  delivered(): number | null {
    return this.follower?.delivered() ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.started?.catch(() => undefined);
    this.follower?.close();
    this.listeners.clear();
    await this.connection?.close();
  }

  private async start(): Promise<void> {
    const follower = await LogFollower.start(
      routingLog(this.options.log),
      (events) => this.deliver(events),
      this.options,
      async () => {
        this.connection = await ListenConnection.open({
          ...this.options,
          channel: this.channel,
          onPayload: () => void this.follower?.catchUp(),
          onBack: () => this.follower?.catchUp(),
        });
      },
    );
    this.follower = follower;
  }

  private deliver(events: RoutingEvent[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(events);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
