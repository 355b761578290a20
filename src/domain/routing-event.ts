/**
 * Routing events: what routing decided, as streams (/Routing/Stream) and webhooks carry it.
 * Routing records them through a RoutingEventSink; the event log gives each an id in commit
 * order, so a stream resumes from Last-Event-ID as the presence stream does. Pure data.
 */

export const ROUTING_EVENT_TYPES = [
  "queued",
  "offered",
  "offer_lapsed",
  "declined",
  "assigned",
  "transferred",
  "capacity",
] as const;

export type RoutingEventType = (typeof ROUTING_EVENT_TYPES)[number];

/** A detail value as it goes on the wire (times are milliseconds since the epoch). */
export type RoutingDetail = Record<string, number | string | boolean | null>;

export interface RoutingEventInput {
  type: RoutingEventType;
  topicId: number;
  /** The session the event is about; null for `capacity`. */
  chatSessionId: number | null;
  /** The agent offered, declining, assigned, transferred to, or whose load changed; null for `queued`. */
  userId: number | null;
  /** When it happened, milliseconds since the epoch. */
  at: number;
  /**
   * What else the type carries: `offered` expiresAt; `queued` position; `assigned` how
   * ("offer", "assign", "pickup"); `transferred` fromUserId; `capacity` ongoingChats, limit;
   * `offer_lapsed` reason ("expired", with missedOffers; "withdrawn": the session was taken or
   * the agent went away).
   */
  detail: RoutingDetail;
}

export interface RoutingEvent extends RoutingEventInput {
  /** Its place in the event log: increasing in commit order, the stream's event id. */
  id: number;
}

/** Where routing hands its events: recorded, then fanned out to streams and webhooks. */
export interface RoutingEventSink {
  record(events: readonly RoutingEventInput[]): Promise<void>;
}
