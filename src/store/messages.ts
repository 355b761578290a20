/** The store's part for chat messages: kept with their session and deleted with it. */
import type { ChatMessageRecord, MessageEffect, NewMessage } from "../domain/message.ts";
import type { ChatSessionRecord } from "../domain/session.ts";

export interface MessagePage {
  /** Only messages with a larger id. */
  after: number;
  limit: number;
}

export interface PostedMessage {
  message: ChatMessageRecord;
  /** The session as the same transaction left it. */
  session: ChatSessionRecord;
}

export interface MessageStore {
  /**
   * In one transaction: applies the effect to the session (locking its row first, so a
   * session's messages are numbered in the order they commit), then inserts the message with
   * the next id. Null, storing nothing, when the session is gone or its status is no longer
   * in `effect.statusIn`. Throws PRES_ERR_MESSAGE_LIMIT, storing nothing, when the session
   * already holds `maxPerSession` messages.
   */
  addMessage(
    message: NewMessage,
    effect: MessageEffect,
    maxPerSession: number,
  ): Promise<PostedMessage | null>;
  /** A session's messages in id order (= the order they were posted). */
  listMessages(sessionId: number, page: MessagePage): Promise<ChatMessageRecord[]>;
}
