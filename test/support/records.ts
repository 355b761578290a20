/** Domain records for unit tests of the pure rules: a plain value, changed by overrides. */
import type { TopicMember } from "../../src/domain/model.ts";
import { type ChatSessionRecord, EMPTY_CUSTOMER } from "../../src/domain/session.ts";

/** A chat session waiting in topic 1's queue, with no user and no messages yet. */
export function sessionRecord(overrides: Partial<ChatSessionRecord> = {}): ChatSessionRecord {
  return {
    id: 7,
    topicId: 1,
    status: "InQueue",
    user: null,
    transferTo: null,
    customer: EMPTY_CUSTOMER,
    firstMessage: "",
    lastMessage: "",
    rating: 0,
    chatbotIsActive: false,
    whenRequested: null,
    whenStarted: null,
    whenEnded: null,
    whenIdle: null,
    initialQueuePos: 0,
    ...overrides,
  };
}

/** A topic membership with the rights given; the others are false. */
export function membership(
  topicId: number,
  userId: number,
  rights: Partial<Omit<TopicMember, "topicId" | "userId">> = {},
): TopicMember {
  return {
    topicId,
    userId,
    canListen: false,
    canRespond: false,
    canManage: false,
    canNotify: false,
    ...rights,
  };
}
