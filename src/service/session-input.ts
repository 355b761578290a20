/**
 * Sessions as clients describe them: the defaults a new session takes and the empty entity
 * CreateDefaultChatSessionEntity returns. Pure, so every protocol fills a session alike.
 */
import type { SessionStatus } from "../domain/model.ts";
import {
  assertCreatable,
  type ChatSessionRecord,
  type CustomerInfo,
  EMPTY_CUSTOMER,
  type NewSession,
} from "../domain/session.ts";

/** A new session as a client describes it; the rest is set by the server. */
export interface SessionInput {
  topicId: number;
  status?: SessionStatus;
  customer?: Partial<CustomerInfo>;
  firstMessage?: string;
  lastMessage?: string;
  rating?: number;
  chatbotIsActive?: boolean;
}

/** The session to store for a client's input: waiting in the queue unless it says otherwise. */
export function newSession(input: SessionInput, now: number): NewSession {
  const status = input.status ?? "InQueue";
  assertCreatable(status);
  return {
    topicId: input.topicId,
    status,
    customer: { ...EMPTY_CUSTOMER, ...input.customer },
    firstMessage: input.firstMessage ?? "",
    lastMessage: input.lastMessage ?? "",
    rating: input.rating ?? 0,
    chatbotIsActive: input.chatbotIsActive ?? false,
    whenRequested: now,
  };
}

/** The empty entity (id 0) a client fills in before creating a session. */
export function defaultSession(): ChatSessionRecord {
  return {
    id: 0,
    topicId: 0,
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
  };
}
