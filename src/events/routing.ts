/**
 * The routing bus carries routing events, already in the log with their ids, from the node
 * that recorded them to every listener on every node (streams). In one process it is a plain
 * fan-out; on PostgreSQL (store/postgres/routing-bus.ts) each node reads the log back in id
 * order when told, so a stream on one node sees every node's events, none twice or missed.
 */
import type { RoutingEvent } from "../domain/routing-event.ts";

export type RoutingListener = (events: readonly RoutingEvent[]) => void;

export interface RoutingEventBus {
  /** Hands events this node recorded (in id order) to every node's listeners, this one's too. */
  publish(events: readonly RoutingEvent[]): Promise<void>;
  /** Adds a listener; resolves once the bus hears every node (a cluster bus starts on first use). */
  subscribe(listener: RoutingListener): Promise<() => void>;
  /**
   * Every id up to this one has been handed to the listeners, in order; null when the bus does
   * not read the log (then the store's newest id stands for it). Meaningful once subscribed.
   */
  delivered(): number | null;
  close(): Promise<void>;
}

export class LocalRoutingBus implements RoutingEventBus {
  private readonly listeners = new Set<RoutingListener>();

  async publish(events: readonly RoutingEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(events);
      } catch {
        // One broken listener must not stop the others, nor fail the record that published.
      }
    }
  }

  async subscribe(listener: RoutingListener): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  delivered(): number | null {
    return null;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
