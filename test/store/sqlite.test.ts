import { sqliteMemory } from "./backends.ts";
import { historySuite } from "./history-suite.ts";
import { storeSuite } from "./suite.ts";

storeSuite(sqliteMemory);
historySuite(sqliteMemory);
