/**
 * Every store backend the contract suites run on, in one list: each test/store/<concern>.test.ts
 * does `for (const backend of BACKENDS) suite(backend)`. A backend that is not reachable here is
 * listed anyway, marked skipped and announced, so it is never a silent pass.
 */
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { announceSkip, scratchSchema } from "./postgres.ts";
import type { StoreFactory } from "./store-contract.ts";

/** Whether PostgreSQL is unreachable here, for the PostgreSQL-only tests beside the suites. */
export const postgresSkip = await announceSkip("store contract on PostgreSQL");

const sqliteMemory: StoreFactory = {
  name: "sqlite (memory)",
  open: async () => ({ store: openSqliteStore({ path: ":memory:" }), cleanup: async () => {} }),
};

/** PostgreSQL on a schema of its own per suite, dropped after it. */
const postgresScratch: StoreFactory = {
  name: "postgres",
  skip: postgresSkip,
  async open() {
    const scratch = scratchSchema();
    return { store: await openPostgresStore({ url: scratch.url }), cleanup: scratch.drop };
  },
};

export const BACKENDS: readonly StoreFactory[] = [sqliteMemory, postgresScratch];
