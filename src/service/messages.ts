/**
 * Chat messages for every protocol: post, list, transcript, and following a session live.
 * Messages are readable by whoever may read the session and writable by whoever may change it
 * (SessionService.get / getForChange: the same rules as the session itself). A post and the
 * session change it causes are one store transaction; a status change then goes through the
 * one change detector, and the post is signalled on the message bus for followers.
 */
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { PresenceError } from "../domain/errors.ts";
import {
  type ChatMessageRecord,
  type MessageInput,
  type MessageLimits,
  messageEffect,
  newMessage,
} from "../domain/message.ts";
import type { Actor } from "../domain/presence.ts";
import type { ChatSessionRecord } from "../domain/session.ts";
import { type TranscriptFormat, transcriptEntry, transcriptFrame } from "../domain/transcript.ts";
import type { MessageBus } from "../events/messages.ts";
import type { Store } from "../store/store.ts";
import type { PresenceService } from "./presence.ts";
import type { SessionService } from "./sessions.ts";

/**
 * A post whose session changed status class between the read and the write reads it again;
 * only a session changing this often under one post gives up with 409.
 */
const POST_ATTEMPTS = 5;

export type MessageListener = (message: ChatMessageRecord) => void;

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly presence: PresenceService,
    private readonly bus: MessageBus,
    readonly limits: MessageLimits,
  ) {}

  /** Adds a message; Id and WhenPosted are the server's, the session is the path's. */
  async post(actor: Actor, sessionId: number, input: MessageInput): Promise<ChatMessageRecord> {
    for (let attempt = 0; attempt < POST_ATTEMPTS; attempt++) {
      const before = await this.sessions.getForChange(actor, sessionId);
      const author = await this.defaultAuthor(actor, before, input);
      const message = newMessage(sessionId, input, this.limits, author, Date.now());
      const posted = await this.store.addMessage(
        message,
        messageEffect(before, message),
        this.limits.perSession,
      );
      if (!posted) continue;
      // The message is saved whatever happens next: a lost signal only delays followers
      // until the next one, and failing here would make the client post it twice.
      await this.bus.publish(sessionId, posted.message.id).catch(() => undefined);
      const userId = posted.session.user?.id;
      if (posted.session.status !== before.status && userId !== undefined) {
        await this.presence.usersChanged([userId], { source: "session", changedBy: actor.userId });
      }
      return posted.message;
    }
    throw new PresenceError("PRES_ERR_CHANGED", { sessionId });
  }

  /** GetChatMessages: the messages after `after` (an id; 0 from the start), oldest first. */
  async list(actor: Actor, sessionId: number, after = 0): Promise<ChatMessageRecord[]> {
    assertAfter(after);
    await this.sessions.get(actor, sessionId);
    return this.store.listMessages(sessionId, { after, limit: this.limits.pageSize });
  }

  /**
   * The whole conversation as text or HTML. Read and rendered a page at a time, yielding to
   * other work between pages, so a long session never holds the event loop.
   */
  async transcript(actor: Actor, sessionId: number, html: boolean): Promise<string> {
    await this.sessions.get(actor, sessionId);
    const format: TranscriptFormat = html ? "html" : "text";
    const { open, close } = transcriptFrame(format);
    const parts = [open];
    let after = 0;
    for (;;) {
      const page = await this.store.listMessages(sessionId, {
        after,
        limit: this.limits.pageSize,
      });
      for (const message of page) parts.push(transcriptEntry(message, format));
      if (page.length < this.limits.pageSize) break;
      after = page[page.length - 1].id;
      await yieldToEvents();
    }
    parts.push(close);
    return parts.join("");
  }

  /**
   * Hands `listener` every message of the session after `after`, in order, once each: first
   * those already stored, then each new one as the bus signals it (from any node). Read
   * rights are checked once, when following starts. Returns the function that stops it.
   */
  async follow(
    actor: Actor,
    sessionId: number,
    after: number,
    listener: MessageListener,
  ): Promise<() => void> {
    assertAfter(after);
    await this.sessions.get(actor, sessionId);
    let cursor = after;
    let reading = false;
    let again = false;
    let stopped = false;
    const readOn = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          cursor = await this.deliverAfter(sessionId, cursor, listener, () => stopped);
        } while (again && !stopped);
      } catch {
        // The store could not be read: the next signal reads on from the same cursor.
      } finally {
        reading = false;
      }
    };
    const unsubscribe = this.bus.subscribe(sessionId, (messageId) => {
      if (!stopped && (messageId === 0 || messageId > cursor)) void readOn();
    });
    void readOn();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }

  /** Delivers every stored message after `cursor`, page by page; returns the new cursor. */
  private async deliverAfter(
    sessionId: number,
    cursor: number,
    listener: MessageListener,
    stopped: () => boolean,
  ): Promise<number> {
    let last = cursor;
    for (;;) {
      const page = await this.store.listMessages(sessionId, {
        after: last,
        limit: this.limits.pageSize,
      });
      for (const message of page) {
        if (stopped()) return last;
        last = message.id;
        try {
          listener(message);
        } catch {
          // A follower that throws still moves on; it must not get the message again.
        }
      }
      if (page.length < this.limits.pageSize) return last;
    }
  }

  /**
   * An Author left empty: the agent's display name on a message to the customer, the
   * customer's name (or alias) on the customer's message, nothing on a Special notice.
   */
  private async defaultAuthor(
    actor: Actor,
    session: ChatSessionRecord,
    input: MessageInput,
  ): Promise<string> {
    if ((input.author ?? "").trim() !== "") return "";
    if (input.type === "ToCustomer") {
      const user = await this.store.getUser(actor.userId);
      return user?.displayName || user?.username || actor.username;
    }
    if (input.type === "ToUser") return session.customer.name || session.customer.alias;
    return "";
  }
}

function assertAfter(after: number): void {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new PresenceError("PRES_ERR_BAD_QUERY", {
      name: "after",
      detail: `${after} is not a message id (a whole number, 0 or more)`,
    });
  }
}
