/** Chooses a store backend from a location: a postgres:// URL, or a SQLite file path. */

import { openSqliteStore } from "./sqlite/store.ts";
import type { Store } from "./store.ts";

export async function openStore(location: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new Error("The PostgreSQL store is not available in this build");
  }
  return openSqliteStore({ path: location });
}
