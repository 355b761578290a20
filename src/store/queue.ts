/**
 * The store's part for the queue as read from outside routing: the waiting sessions of a topic
 * in routing order with the agent each is offered to, how many agents are there, and the
 * per-topic figures /metrics reads when scraped. Reads only: every decision is routing's.
 */
import type { UserRef } from "../domain/topic.ts";

/** A session waiting in a topic's queue (InQueue), as the queue view lists it. */
export interface QueueEntry {
  id: number;
  whenRequested: number | null;
  /** The agent holding the open offer of it; null when it is not offered. */
  offeredTo: UserRef | null;
}

/** How many sessions wait in a topic, and since when the oldest has. */
export interface QueueFigures {
  topicId: number;
  queueLength: number;
  /** The oldest WhenRequested among them (ms); null when none waits or none has one. */
  oldestRequested: number | null;
}

/** An agent present with CanRespond in a topic, with the chats their limits count. */
export interface ResponderLoad {
  topicId: number;
  /** Their ongoing chats in every topic (what MaxChats counts). */
  ongoingChats: number;
  /** Their ongoing chats in this topic (what MaxChatsPerAgent counts). */
  ongoingInTopic: number;
  maxChats: number;
  maxChatsPerAgent: number;
}

export interface QueueStore {
  /** The topic's InQueue sessions in routing order (WhenRequested, then id), offers joined. */
  topicQueue(topicId: number): Promise<QueueEntry[]>;
  /** Members of the topic with CanRespond who are present at `now` (not past a deadline). */
  presentResponders(topicId: number, now: number): Promise<number>;
  /** The queue figures of one topic (null: of every topic with a session waiting). */
  queueFigures(topicId: number | null): Promise<QueueFigures[]>;
  /** Every topic's present responders at `now`, with their loads. */
  responderLoads(now: number): Promise<ResponderLoad[]>;
}
