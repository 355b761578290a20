/** The backends the store contract suites run on: SQLite in memory, PostgreSQL on a scratch schema. */
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { scratchSchema } from "./postgres.ts";
import type { StoreFactory } from "./store-contract.ts";

export const sqliteMemory: StoreFactory = {
  name: "sqlite (memory)",
  open: async () => openSqliteStore({ path: ":memory:" }),
};

/** PostgreSQL on a schema of its own, dropped after the suite; `skip` from announceSkip(). */
export function postgresScratch(skip: boolean): StoreFactory {
  const scratch = scratchSchema();
  return {
    name: "postgres",
    skip,
    open: () => openPostgresStore({ url: scratch.url }),
    cleanup: () => scratch.drop(),
  };
}
