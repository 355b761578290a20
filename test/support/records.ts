/** Domain records for unit tests of the pure rules: a plain value, changed by overrides. */
import type { TopicMember } from "../../src/domain/model.ts";
import type { ChatSessionRecord } from "../../src/domain/session.ts";
import { defaultSession } from "../../src/service/session-input.ts";

/** A chat session waiting in topic 1's queue, with no user and no messages yet. */
export function sessionRecord(overrides: Partial<ChatSessionRecord> = {}): ChatSessionRecord {
  return { ...defaultSession(), id: 7, topicId: 1, ...overrides };
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
