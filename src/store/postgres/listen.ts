/**
 * A LISTEN connection of its own (a pooled one would hand the channel to whoever borrows it
 * next), which comes back by itself after it drops. Notifications sent while it was down are
 * lost, so whoever listens is told once it is back and reads what it missed its own way.
 */
import pg from "pg";
import { retryUntilDone } from "./connection.ts";

export interface ListenOptions {
  /** The store's URL; its `schema` parameter is ours, not the server's, and is left out. */
  url: string;
  channel: string;
  /** Statements the connection runs before it listens. */
  setup?: readonly string[];
  /** Delay before reconnecting after the connection drops (default 1 s). */
  reconnectMs?: number;
  onError?: (error: unknown) => void;
  onNotification: (payload: string) => void;
  /** Called each time a dropped connection listens again. */
  onReconnect: () => Promise<void> | void;
}

export class ListenConnection {
  private client: pg.Client | null = null;
  private closed = false;

  private constructor(private readonly options: ListenOptions) {}

  static async open(options: ListenOptions): Promise<ListenConnection> {
    const connection = new ListenConnection(options);
    await connection.connect();
    return connection;
  }

  /** The connection while it is up (null while it reconnects). */
  get current(): pg.Client | null {
    return this.client;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: stripSchema(this.options.url) });
    client.on("notification", ({ payload }) => this.options.onNotification(payload ?? ""));
    client.on("error", () => this.reconnectLater(client));
    client.on("end", () => this.reconnectLater(client));
    await client.connect();
    for (const statement of this.options.setup ?? []) await client.query(statement);
    await client.query(`LISTEN "${this.options.channel}"`);
    this.client = client;
  }

  private reconnectLater(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    retryUntilDone(
      async () => {
        await this.connect();
        await this.options.onReconnect();
      },
      this.options.reconnectMs ?? 1000,
      () => !this.closed,
      this.options.onError,
    );
  }
}

function stripSchema(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("schema");
  return parsed.toString();
}
