import { sqliteMemory } from "../support/backends.ts";
import { storeSuite } from "../support/store-contract.ts";
import { historySuite } from "./history.test.ts";

storeSuite(sqliteMemory);
historySuite(sqliteMemory);
