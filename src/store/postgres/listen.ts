/**
 * A LISTEN connection of its own (a pooled one would be handed to other queries), which
 * comes back by itself through `retryUntilDone` when it drops: what every cross-node bus
 * (changes, messages, routing events) listens on. After a reconnect `onBack` runs, since
 * whatever was notified while the connection was down is lost.
 */
import pg from "pg";
import { retryUntilDone } from "./connection.ts";

export interface ListenOptions {
  /** The database URL; the `schema` parameter is ours, not the driver's, and is dropped. */
  url: string;
  channel: string;
  /** `own`: sent on this very connection (its NOTIFY), which a bus may not need to hear. */
  onPayload: (payload: string, own: boolean) => void;
  /** Runs once a lost connection is back and listening again. */
  onBack?: () => Promise<void> | void;
  /** Statements run on the connection before it listens. */
  setup?: readonly string[];
  /** Delay before reconnecting after the connection drops (default 1000 ms). */
  reconnectMs?: number;
  onError?: (error: unknown) => void;
}

export class ListenConnection {
  private current: pg.Client | null = null;
  private closed = false;

  private constructor(private readonly options: ListenOptions) {}

  static async open(options: ListenOptions): Promise<ListenConnection> {
    const connection = new ListenConnection(options);
    await connection.connect();
    return connection;
  }

  /** The connection while it is up (a NOTIFY sent on it does not wait for a pooled one). */
  get client(): pg.Client | null {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.current?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const url = new URL(this.options.url);
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString() });
    let pid = 0;
    client.on("notification", ({ payload, processId }) =>
      this.options.onPayload(payload ?? "", processId === pid),
    );
    client.on("error", () => this.reconnectLater(client));
    client.on("end", () => this.reconnectLater(client));
    await client.connect();
    pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    for (const statement of this.options.setup ?? []) await client.query(statement);
    await client.query(`LISTEN "${this.options.channel}"`);
    this.current = client;
  }

  private reconnectLater(client: pg.Client): void {
    if (this.closed || this.current !== client) return;
    this.current = null;
    retryUntilDone(
      async () => {
        await this.connect();
        await this.options.onBack?.();
      },
      this.options.reconnectMs ?? 1000,
      () => !this.closed,
      this.options.onError,
    );
  }
}
