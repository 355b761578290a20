/**
 * The routing events a change made through the session service stands for: a session queued
 * (created, reset or edited into the queue), picked up, transferred, and the load of each
 * agent who gained or lost an ongoing chat by it.
 */
import { bindingLoad } from "../domain/capacity.ts";
import type { RoutingOffer } from "../domain/routing.ts";
import type { RoutingEventInput } from "../domain/routing-event.ts";
import { type ChatSessionRecord, isOngoing } from "../domain/session.ts";
import type { Store } from "../store/store.ts";
import type { SessionChange } from "./sessions.ts";

/** One routing event as the sink takes it. */
export function routingEvent(
  type: RoutingEventInput["type"],
  topicId: number,
  chatSessionId: number | null,
  userId: number | null,
  at: number,
  detail: RoutingEventInput["detail"] = {},
): RoutingEventInput {
  return { type, topicId, chatSessionId, userId, at, detail };
}

/**
 * The `assigned` event of a session an agent took (`how`: offer, assign, pickup), with the
 * milliseconds it waited from WhenRequested to WhenStarted (null when either is unknown).
 */
export function assignedEvent(
  session: ChatSessionRecord,
  userId: number,
  at: number,
  how: "offer" | "assign" | "pickup",
): RoutingEventInput {
  const { whenRequested, whenStarted } = session;
  const waitedMs =
    whenRequested === null || whenStarted === null
      ? null
      : Math.max(0, whenStarted - whenRequested);
  return routingEvent("assigned", session.topicId, session.id, userId, at, { how, waitedMs });
}

/** The `offer_lapsed` event of an offer ended because it could no longer be accepted. */
export function withdrawnEvent(
  offer: Pick<RoutingOffer, "chatSessionId" | "topicId" | "userId">,
  at: number,
): RoutingEventInput {
  return routingEvent("offer_lapsed", offer.topicId, offer.chatSessionId, offer.userId, at, {
    reason: "withdrawn",
  });
}

/** The agent holding the session as an ongoing chat; null when none does. */
function holder(session: ChatSessionRecord | null): number | null {
  return session && isOngoing(session.status) ? (session.user?.id ?? null) : null;
}

/** The `capacity` event of an agent whose load changed by a chat of the topic. */
export async function loadEvent(
  store: Store,
  userId: number,
  topicId: number,
  at: number,
): Promise<RoutingEventInput> {
  const load = await store.agentLoad(userId, topicId);
  return routingEvent("capacity", topicId, null, userId, at, bindingLoad(load));
}

export async function sessionEvents(
  store: Store,
  { before, after }: SessionChange,
  at: number,
): Promise<RoutingEventInput[]> {
  const session = (after ?? before) as ChatSessionRecord;
  const events: RoutingEventInput[] = [];
  const { id, topicId } = session;
  if (after?.status === "InQueue" && before?.status !== "InQueue") {
    const position = before ? await store.queuePosition(id) : after.initialQueuePos;
    events.push(routingEvent("queued", topicId, id, null, at, { position }));
  }
  const [was, is] = [holder(before), holder(after)];
  if (before?.status === "InQueue" && after?.status !== "InQueue" && is === null) {
    const status = after?.status ?? "Deleted";
    events.push(routingEvent("left_queue", topicId, id, null, at, { status }));
  }
  if (is !== null && before?.status === "InQueue") {
    events.push(assignedEvent(after as ChatSessionRecord, is, at, "pickup"));
  } else if (is !== null && was !== null && is !== was) {
    events.push(routingEvent("transferred", topicId, id, is, at, { fromUserId: was }));
  }
  if (was !== is) {
    for (const userId of [was, is]) {
      if (userId !== null) events.push(await loadEvent(store, userId, topicId, at));
    }
  }
  return events;
}
