import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { storeSuite } from "./suite.ts";

storeSuite({ name: "sqlite (memory)", open: async () => openSqliteStore({ path: ":memory:" }) });
