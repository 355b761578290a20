import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { announceSkip, scratchSchema } from "../postgres.ts";
import { chatStoreSuite } from "./chat-suite.ts";

chatStoreSuite({
  name: "sqlite (memory)",
  open: async () => openSqliteStore({ path: ":memory:" }),
});

const skip = await announceSkip("chat store contract");
const scratch = scratchSchema();
chatStoreSuite({
  name: "postgres",
  skip,
  open: () => openPostgresStore({ url: scratch.url }),
  cleanup: () => scratch.drop(),
});
