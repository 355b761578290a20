/**
 * The PostgreSQL store, for several server nodes on one database. One part per concern, each
 * in a file of the same name as SQLite's: presence.ts, directory.ts, credentials.ts,
 * history.ts, topics.ts, sessions.ts, messages.ts, webhooks.ts, routing.ts, queue.ts and
 * routing-events.ts; bus.ts is the cross-node change bus, routing-bus.ts the routing events'.
 */
import { composeStore } from "../compose.ts";
import type { Store, StoreBase } from "../store.ts";
import { PostgresBus, type PostgresBusOptions } from "./bus.ts";
import { type Connection, connect, type PostgresOptions } from "./connection.ts";
import { PostgresCredentials } from "./credentials.ts";
import { PostgresDirectory } from "./directory.ts";
import { PostgresHistory } from "./history.ts";
import { PostgresMessageBus } from "./message-bus.ts";
import { PostgresMessages } from "./messages.ts";
import { migrate } from "./migrations.ts";
import { PostgresPresence } from "./presence.ts";
import { PostgresQueue } from "./queue.ts";
import { PostgresRouting } from "./routing.ts";
import { PostgresRoutingBus } from "./routing-bus.ts";
import { PostgresRoutingEvents } from "./routing-events.ts";
import { PostgresSessions } from "./sessions.ts";
import { PostgresTopics } from "./topics.ts";
import { PostgresWebhookDeliveries } from "./webhook-deliveries.ts";
import { PostgresWebhooks } from "./webhooks.ts";

export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  return (await openConnected(options)).store;
}

/** The store and the cross-node change, message and routing buses over the same database. */
export async function openPostgresBackend(
  options: PostgresOptions & Omit<PostgresBusOptions, "url" | "schema" | "pool" | "history">,
) {
  const { store, connection, routingEvents } = await openConnected(options);
  const bus = await PostgresBus.start({
    ...options,
    schema: connection.schema,
    pool: connection.pool,
    history: store,
  });
  const messageBus = await PostgresMessageBus.start({
    ...options,
    schema: connection.schema,
    pool: connection.pool,
  });
  // Holds no connection until a stream subscribes to it.
  const routingBus = new PostgresRoutingBus({
    ...options,
    schema: connection.schema,
    pool: connection.pool,
    log: routingEvents,
  });
  return { store, bus, messageBus, routingBus };
}

/** Connects, migrates the schema, and composes the parts over the pool. */
async function openConnected(
  options: PostgresOptions,
): Promise<{ store: Store; connection: Connection; routingEvents: PostgresRoutingEvents }> {
  const connection = connect(options);
  const { pool, schema } = connection;
  try {
    const client = await pool.connect();
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    // A store that cannot open leaves no connections behind.
    await pool.end();
    throw error;
  }
  const base: StoreBase = {
    backend: "postgres",
    close: async () => {
      await pool.end();
    },
    isEmpty: async () => {
      const { rows } = await pool.query("SELECT NOT EXISTS (SELECT 1 FROM users) AS empty");
      return rows[0].empty;
    },
    ping: async () => {
      await pool.query("SELECT 1");
    },
  };
  const history = new PostgresHistory(pool);
  const routingEvents = new PostgresRoutingEvents(pool);
  const store = composeStore({
    base,
    presence: new PostgresPresence(pool, history),
    directory: new PostgresDirectory(pool),
    credentials: new PostgresCredentials(pool),
    history,
    topics: new PostgresTopics(pool),
    sessions: new PostgresSessions(pool),
    messages: new PostgresMessages(pool),
    webhooks: new PostgresWebhooks(pool),
    webhookDeliveries: new PostgresWebhookDeliveries(pool),
    routingEvents,
    routing: new PostgresRouting(pool),
    queue: new PostgresQueue(pool),
  });
  return { store, connection, routingEvents };
}
