import { announceSkip } from "../postgres.ts";
import { postgresScratch } from "./backends.ts";
import { historySuite } from "./history-suite.ts";
import { storeSuite } from "./suite.ts";

const skip = await announceSkip("store contract");
storeSuite(postgresScratch(skip));
historySuite(postgresScratch(skip));
