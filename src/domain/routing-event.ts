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
  "left_queue",
] as const;

export type RoutingEventType = (typeof ROUTING_EVENT_TYPES)[number];

/** A detail value as it goes on the wire (times are milliseconds since the epoch). */
export type RoutingDetail = Record<string, number | string | boolean | null>;

export interface RoutingEventInput {
  type: RoutingEventType;
  topicId: number;
  /** The session the event is about; null for `capacity`. */
  chatSessionId: number | null;
  /**
   * The agent offered, declining, assigned, transferred to, or whose load changed; null for
   * `queued` and `left_queue`.
   */
  userId: number | null;
  /** When it happened, milliseconds since the epoch. */
  at: number;
  /**
   * What else the type carries: `offered` expiresAt; `queued` position; `assigned` how
   * ("offer", "assign", "pickup"); `transferred` fromUserId; `capacity` ongoingChats, limit,
   * limitOf (the limit that binds, whose count ongoingChats is: "MaxChatsPerAgent" counts the
   * topic's chats, "MaxChats" all; null: none set); `offer_lapsed` reason ("expired", with
   * missedOffers; "withdrawn": the session was taken, closed or deleted, or the agent went
   * away); `left_queue` status (what a queued session left for without being assigned, or
   * "Deleted").
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

/** An event as streams and webhooks send it, in SuperOffice casing. */
export type RoutingEventWire = Record<string, number | string | boolean | null>;

/** Detail keys that hold a time: sent as ISO 8601, like At. */
const isTimeKey = (key: string) => /At$/.test(key);

const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/**
 * Id, Type, TopicId, ChatSessionId, UserId, At (ISO 8601), then the detail's keys PascalCased
 * (`expiresAt` → ExpiresAt, a time as ISO 8601). A detail key never overrides the fixed ones.
 */
export function routingEventWire(event: RoutingEvent): RoutingEventWire {
  const wire: RoutingEventWire = {
    Id: event.id,
    Type: event.type,
    TopicId: event.topicId,
    ChatSessionId: event.chatSessionId,
    UserId: event.userId,
    At: new Date(event.at).toISOString(),
  };
  for (const [key, value] of Object.entries(event.detail)) {
    const name = pascal(key);
    if (name in wire) continue;
    wire[name] =
      isTimeKey(key) && typeof value === "number" ? new Date(value).toISOString() : value;
  }
  return wire;
}

/** A stored wire event with the fixed keys first again (PostgreSQL's jsonb reorders keys). */
export function canonicalRoutingWire(event: RoutingEventWire): RoutingEventWire {
  const { Id, Type, TopicId, ChatSessionId, UserId, At, ...detail } = event;
  return { Id, Type, TopicId, ChatSessionId, UserId, At, ...detail };
}
