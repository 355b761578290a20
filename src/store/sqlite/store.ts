/**
 * The embedded store: better-sqlite3 in WAL mode. Synchronous under the hood, async at the
 * edge. One part per concern, each in a file of the same name as PostgreSQL's: presence.ts,
 * directory.ts, credentials.ts, history.ts, topics.ts, sessions.ts, messages.ts, webhooks.ts,
 * routing.ts, queue.ts and routing-events.ts.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { composeStore } from "../compose.ts";
import type { Store, StoreBase } from "../store.ts";
import { SqliteBus } from "./bus.ts";
import { SqliteCredentials } from "./credentials.ts";
import { SqliteDirectory } from "./directory.ts";
import { SqliteHistory } from "./history.ts";
import { SqliteMessages } from "./messages.ts";
import { migrate } from "./migrations.ts";
import { SqlitePresence } from "./presence.ts";
import { SqliteQueue } from "./queue.ts";
import { SqliteRouting } from "./routing.ts";
import { SqliteRoutingEvents } from "./routing-events.ts";
import { SqliteSessions } from "./sessions.ts";
import { SqliteTopics } from "./topics.ts";
import { SqliteWebhookDeliveries } from "./webhook-deliveries.ts";
import { SqliteWebhooks } from "./webhooks.ts";

export interface SqliteOptions {
  /** A file path, or ":memory:". */
  path: string;
  /**
   * NORMAL (default): a commit is in the WAL before the call returns, so it survives a killed
   * process; FULL also fsyncs each commit, surviving power loss at a large cost in save rate.
   */
  synchronous?: "NORMAL" | "FULL";
}

export function openSqliteStore(options: SqliteOptions): Store {
  return openConnected(options).store;
}

/** The store and a change bus that also hears other processes writing the same file. */
export async function openSqliteBackend(options: SqliteOptions) {
  const { store, db } = openConnected(options);
  return { store, bus: await SqliteBus.start(db, store) };
}

function openConnected(options: SqliteOptions): { store: Store; db: Database.Database } {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // 4 MiB of page cache: presence and the directory fit many times over; a larger cache only
  // fills up with history pages that are written once and rarely read (and grows the RSS).
  db.pragma("cache_size = -4096");
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const isEmpty = db.prepare("SELECT COUNT(*) FROM users").pluck();
  const ping = db.prepare("SELECT 1").pluck();
  const base: StoreBase = {
    backend: "sqlite",
    close: async () => {
      db.close();
    },
    isEmpty: async () => isEmpty.get() === 0,
    ping: async () => {
      ping.get();
    },
  };
  const history = new SqliteHistory(db);
  const webhooks = new SqliteWebhooks(db);
  const store = composeStore({
    base,
    presence: new SqlitePresence(db, history, webhooks),
    directory: new SqliteDirectory(db),
    credentials: new SqliteCredentials(db),
    history,
    topics: new SqliteTopics(db),
    sessions: new SqliteSessions(db),
    messages: new SqliteMessages(db),
    webhooks,
    webhookDeliveries: new SqliteWebhookDeliveries(db),
    routingEvents: new SqliteRoutingEvents(db),
    routing: new SqliteRouting(db),
    queue: new SqliteQueue(db),
  });
  return { store, db };
}
