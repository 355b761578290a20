/**
 * An agent's load as the dashboard shows it ("2 / 3 chats"): their ongoing chats against the
 * most that routing or a pick-up may bring them to. In each topic where they respond the
 * limit that binds is chatLimit(MaxChats, MaxChatsPerAgent); across topics the largest of
 * those is what they may reach, and a topic without any limit leaves them unlimited.
 */
import { chatLimit } from "./capacity.ts";

export interface TopicLoadLimit {
  topicId: number;
  /** The limit that binds the agent in the topic; 0: none. */
  limit: number;
}

export interface AgentLoad {
  userId: number;
  ongoingChats: number;
  maxChats: number;
  /** The most ongoing chats they may reach in any of their topics; 0: no limit. */
  limit: number;
  topics: TopicLoadLimit[];
}

/** Each topic's binding limit, given the user's MaxChats and the topics' MaxChatsPerAgent. */
export function topicLimits(
  maxChats: number,
  topics: readonly { id: number; maxChatsPerAgent: number }[],
): TopicLoadLimit[] {
  return topics.map((topic) => ({
    topicId: topic.id,
    limit: chatLimit(maxChats, topic.maxChatsPerAgent),
  }));
}

/** The largest binding limit over the topics; MaxChats alone where they respond nowhere. */
export function overallLimit(maxChats: number, topics: readonly TopicLoadLimit[]): number {
  if (topics.length === 0) return maxChats;
  if (topics.some((topic) => topic.limit === 0)) return 0;
  return Math.max(...topics.map((topic) => topic.limit));
}
