import { announceSkip } from "../postgres.ts";
import { postgresScratch, sqliteMemory } from "./backends.ts";
import { messageStoreSuite } from "./message-suite.ts";

messageStoreSuite(sqliteMemory);
messageStoreSuite(postgresScratch(await announceSkip("message store contract")));
