/**
 * The store's part for the routing event log: what routing decided, each event with an id in
 * commit order, so a stream resumes from its Last-Event-ID and a webhook is fed from the log.
 */
import type { RoutingEvent, RoutingEventInput } from "../domain/routing-event.ts";

export interface RoutingEventQuery {
  /** Only events with a larger id. */
  afterId: number;
  /** Only events of these topics; absent: every topic. */
  topicIds?: readonly number[];
  /** Only events at or after this time (ms); absent: any time. */
  since?: number;
  limit: number;
}

export interface RoutingEventStore {
  /** Appends the events in order, in one transaction, and returns them with their ids. */
  appendRoutingEvents(events: readonly RoutingEventInput[]): Promise<RoutingEvent[]>;
  /** Events after `afterId`, oldest first, at most `limit`. */
  routingEventsSince(query: RoutingEventQuery): Promise<RoutingEvent[]>;
  /**
   * The newest committed id, 0 when none. On PostgreSQL a smaller id may still commit after
   * it, so a stream starts from its routing bus's `delivered()` instead.
   */
  latestRoutingEventId(): Promise<number>;
  /** The smallest id still kept, or null when the log is empty. */
  oldestRoutingEventId(): Promise<number | null>;
  /** Deletes events older than `before` (ms); returns how many. */
  purgeRoutingEvents(before: number): Promise<number>;
}
