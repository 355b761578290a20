/** Chooses a store backend from a location: a postgres:// URL, or a SQLite file path. */
import { openPostgresStore } from "./postgres/store.ts";
import { openSqliteStore } from "./sqlite/store.ts";
import type { Store } from "./store.ts";

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export async function openStore(location: string): Promise<Store> {
  return isPostgresUrl(location)
    ? openPostgresStore({ url: location })
    : openSqliteStore({ path: location });
}
