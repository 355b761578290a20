/** Chooses a backend from a location: a postgres:// URL, or a SQLite file path. */
import type { ChangeBus } from "../events/bus.ts";
import { LocalMessageBus, type MessageBus } from "../events/messages.ts";
import { LocalRoutingBus, type RoutingEventBus } from "../events/routing.ts";
import { openPostgresBackend, openPostgresStore } from "./postgres/store.ts";
import { openSqliteBackend, openSqliteStore } from "./sqlite/store.ts";
import type { Store } from "./store.ts";

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export async function openStore(location: string): Promise<Store> {
  return isPostgresUrl(location)
    ? openPostgresStore({ url: location })
    : openSqliteStore({ path: location });
}

export interface Backend {
  store: Store;
  /** SQLite: in-process, and hears other processes writing the file; PostgreSQL: LISTEN/NOTIFY. */
  bus: ChangeBus;
  /** Tells followers of a chat session about new messages; across nodes on PostgreSQL. */
  messageBus: MessageBus;
  /** Carries routing events to every node's streams; across nodes on PostgreSQL. */
  routingBus: RoutingEventBus;
  /** True when other processes may change the store (PostgreSQL): caches must check for news. */
  shared: boolean;
}

export async function openBackend(
  location: string,
  onError: (error: unknown) => void,
): Promise<Backend> {
  if (!isPostgresUrl(location))
    return {
      ...(await openSqliteBackend({ path: location })),
      messageBus: new LocalMessageBus(),
      routingBus: new LocalRoutingBus(),
      shared: false,
    };
  return { ...(await openPostgresBackend({ url: location, onError })), shared: true };
}
