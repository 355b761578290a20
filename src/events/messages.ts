/**
 * The message bus tells followers of a chat session that it has new messages. It carries
 * only the session and the newest id, never the messages: the store is the log, and each
 * follower reads from its own last id (MessageService.follow). So a signal that arrives twice,
 * late or out of order, or stands for several messages, still delivers each message once and
 * in order. In one process it is a plain fan-out; on PostgreSQL, NOTIFY carries it to every
 * node (store/postgres/message-bus.ts).
 */

/** Told that `sessionId` may have messages up to `messageId`; 0 when the newest id is unknown. */
export type MessageSignal = (messageId: number) => void;

export interface MessageBus {
  publish(sessionId: number, messageId: number): Promise<void>;
  subscribe(sessionId: number, listener: MessageSignal): () => void;
  close(): Promise<void>;
}

/** Listeners by session, shared by the in-process bus and the PostgreSQL one. */
export class SessionListeners {
  private readonly bySession = new Map<number, Set<MessageSignal>>();

  add(sessionId: number, listener: MessageSignal): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) {
      set = new Set();
      this.bySession.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId);
    };
  }

  signal(sessionId: number, messageId: number): void {
    for (const listener of [...(this.bySession.get(sessionId) ?? [])]) {
      try {
        listener(messageId);
      } catch {
        // One broken follower must not stop the others, nor fail the post that signalled.
      }
    }
  }

  /** Every followed session, told its newest id is unknown (after a lost connection). */
  signalAll(): void {
    for (const sessionId of [...this.bySession.keys()]) this.signal(sessionId, 0);
  }

  clear(): void {
    this.bySession.clear();
  }
}

export class LocalMessageBus implements MessageBus {
  private readonly listeners = new SessionListeners();

  async publish(sessionId: number, messageId: number): Promise<void> {
    this.listeners.signal(sessionId, messageId);
  }

  subscribe(sessionId: number, listener: MessageSignal): () => void {
    return this.listeners.add(sessionId, listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
