/** Which presence changes a change stream carries: the same rule for live frames and replays. */
import type { ChatPresence, PresenceEvent } from "./presence.ts";

export interface StreamFilter {
  userId?: number;
  topicId?: number;
}

/** A change matches a topic filter when the user is in the topic before or after it. */
export function matches(filter: StreamFilter, event: PresenceEvent): boolean {
  if (filter.userId !== undefined && event.UserId !== filter.userId) return false;
  if (filter.topicId === undefined) return true;
  return (
    event.ChatTopics.includes(filter.topicId) ||
    (event.Previous?.ChatTopics.includes(filter.topicId) ?? false)
  );
}

export function snapshotMatches(filter: StreamFilter, presence: ChatPresence): boolean {
  if (filter.userId !== undefined && presence.UserId !== filter.userId) return false;
  return filter.topicId === undefined || (presence.ChatTopics ?? []).includes(filter.topicId);
}

export function isUnfiltered(filter: StreamFilter): boolean {
  return filter.userId === undefined && filter.topicId === undefined;
}
