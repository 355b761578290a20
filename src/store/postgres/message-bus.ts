/**
 * The message bus across nodes: a post NOTIFYs `sessionId:messageId` on the schema's message
 * channel and every node (itself included) signals its followers of that session. Signals
 * carry no message, so NOTIFY's payload limit and ordering do not matter: followers read the
 * store from their own last id. When the LISTEN connection drops, every followed session is
 * signalled once it is back, so what was posted meanwhile is read then.
 */
import type pg from "pg";
import { type MessageBus, type MessageSignal, SessionListeners } from "../../events/messages.ts";
import { ListenConnection } from "./listen.ts";

export interface PostgresMessageBusOptions {
  url: string;
  /** Nodes on the same schema share a channel; other schemas in the database are not heard. */
  schema: string;
  pool: pg.Pool;
  reconnectMs?: number;
  onError?: (error: unknown) => void;
}

export class PostgresMessageBus implements MessageBus {
  private readonly listeners = new SessionListeners();
  private readonly channel: string;
  private connection: ListenConnection | null = null;

  private constructor(private readonly options: PostgresMessageBusOptions) {
    this.channel = `chat_messages_${options.schema}`;
  }

  static async start(options: PostgresMessageBusOptions): Promise<PostgresMessageBus> {
    const bus = new PostgresMessageBus(options);
    bus.connection = await ListenConnection.open({
      ...options,
      channel: bus.channel,
      onPayload: (payload) => bus.deliver(payload),
      onBack: () => bus.listeners.signalAll(),
    });
    return bus;
  }

  async publish(sessionId: number, messageId: number): Promise<void> {
    await this.options.pool.query("SELECT pg_notify($1, $2)", [
      this.channel,
      `${sessionId}:${messageId}`,
    ]);
  }

  subscribe(sessionId: number, listener: MessageSignal): () => void {
    return this.listeners.add(sessionId, listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.connection?.close();
  }

  private deliver(payload: string): void {
    const match = /^(\d+):(\d+)$/.exec(payload);
    if (match) this.listeners.signal(Number(match[1]), Number(match[2]));
  }
}
