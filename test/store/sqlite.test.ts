import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import { historySuite } from "./history-suite.ts";
import { storeSuite } from "./suite.ts";

storeSuite({ name: "sqlite (memory)", open: async () => openSqliteStore({ path: ":memory:" }) });
historySuite({ name: "sqlite (memory)", open: async () => openSqliteStore({ path: ":memory:" }) });
