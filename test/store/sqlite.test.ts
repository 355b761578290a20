import { sqliteMemory } from "../support/backends.ts";
import { storeSuite } from "../support/store-contract.ts";
import { historySuite } from "./history-suite.ts";

storeSuite(sqliteMemory);
historySuite(sqliteMemory);
