/**
 * Agent capacity: how many ongoing chats (CustomerLast or UserLast, the chats OngoingChats
 * counts) an agent may have. Two limits, each 0 for "no limit", the default, which is
 * SuperOffice's behaviour:
 * - `MaxChats` on the user counts all their ongoing chats, in every topic;
 * - `MaxChatsPerAgent` on a topic counts the agent's ongoing chats in that topic.
 * A chat can be given to an agent (pick-up, accepted transfer, reassignment) only while every
 * limit that is set leaves room for one more; so in a topic the smaller of the two set is the
 * one that binds. The store makes that check in the same atomic write that assigns the chat.
 */
import { PresenceError } from "./errors.ts";

/** The largest limit a column holds (a 32-bit integer). */
const MAX_LIMIT = 2147483647;

/** A limit as stored: a whole number from 0 (no limit) up. */
export function isChatLimit(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_LIMIT;
}

/** A limit from a request body; PRES_ERR_BAD_BODY naming the field when it is not one. */
export function checkChatLimit(field: string, value: unknown): number {
  if (!isChatLimit(value)) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: `${field}: expected 0 (no limit) or a positive whole number`,
    });
  }
  return value;
}

/** The limit that binds an agent in a topic: the smaller of the two set; 0 when neither is. */
export function chatLimit(maxChats: number, maxChatsPerAgent: number): number {
  const set = [maxChats, maxChatsPerAgent].filter((limit) => limit > 0);
  return set.length === 0 ? 0 : Math.min(...set);
}

/**
 * The limits that are set, as PRES_ERR_AT_CAPACITY names them: field and entity names only, so
 * the text reads the same in every language. Without a topic (a first-in-queue pick-up) and
 * without a MaxChats, it was the MaxChatsPerAgent of the topics with chats waiting.
 */
export function describeLimits(
  maxChats: number,
  topic: { id: number; maxChatsPerAgent: number } | null,
): string {
  const parts: string[] = [];
  if (maxChats > 0) parts.push(`MaxChats = ${maxChats}`);
  if (topic && topic.maxChatsPerAgent > 0) {
    parts.push(`ChatTopic ${topic.id}: MaxChatsPerAgent = ${topic.maxChatsPerAgent}`);
  }
  if (!topic && parts.length === 0) parts.push("MaxChatsPerAgent");
  return parts.join("; ");
}

/** Which limit binds an agent in a topic; null when neither is set. */
export type LimitOf = "MaxChats" | "MaxChatsPerAgent" | null;

/** An agent's ongoing chats (in all topics, and in one topic) and their limits there. */
export interface AgentLoad {
  ongoingChats: number;
  ongoingInTopic: number;
  maxChats: number;
  maxChatsPerAgent: number;
}

/**
 * The load the `capacity` event reports: the limit that leaves the least room, and the count
 * that limit measures (the chats in the topic for MaxChatsPerAgent, all chats for MaxChats),
 * so the event never sets one limit's count against the other limit. On equal room the
 * smaller limit is named.
 */
export function bindingLoad(load: AgentLoad): {
  ongoingChats: number;
  limit: number;
  limitOf: LimitOf;
} {
  const options: { ongoingChats: number; limit: number; limitOf: LimitOf }[] = [];
  if (load.maxChatsPerAgent > 0) {
    options.push({
      ongoingChats: load.ongoingInTopic,
      limit: load.maxChatsPerAgent,
      limitOf: "MaxChatsPerAgent",
    });
  }
  if (load.maxChats > 0) {
    options.push({ ongoingChats: load.ongoingChats, limit: load.maxChats, limitOf: "MaxChats" });
  }
  const room = (o: { ongoingChats: number; limit: number }) => o.limit - o.ongoingChats;
  options.sort((a, b) => room(a) - room(b) || a.limit - b.limit);
  return options[0] ?? { ongoingChats: load.ongoingChats, limit: 0, limitOf: null };
}

/**
 * An agent's load as the dashboard shows it ("2 / 3 chats"): their ongoing chats against the
 * most that routing or a pick-up may bring them to. In each topic where they respond the
 * limit that binds is chatLimit(MaxChats, MaxChatsPerAgent); across topics the largest of
 * those is what they may reach, and a topic without any limit leaves them unlimited.
 */
export interface TopicLoadLimit {
  topicId: number;
  /** The limit that binds the agent in the topic; 0: none. */
  limit: number;
}

export interface LoadSummary {
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
