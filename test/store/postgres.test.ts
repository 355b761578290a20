import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { announceSkip, scratchSchema } from "../postgres.ts";
import { historySuite } from "./history-suite.ts";
import { storeSuite } from "./suite.ts";

const skip = await announceSkip("store contract");
const scratch = scratchSchema();
storeSuite({
  name: "postgres",
  skip,
  open: () => openPostgresStore({ url: scratch.url }),
  cleanup: () => scratch.drop(),
});
const historyScratch = scratchSchema();
historySuite({
  name: "postgres",
  skip,
  open: () => openPostgresStore({ url: historyScratch.url }),
  cleanup: () => historyScratch.drop(),
});
