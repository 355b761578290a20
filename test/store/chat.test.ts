import { postgresScratch, sqliteMemory } from "../support/backends.ts";
import { announceSkip } from "../support/postgres.ts";
import { chatStoreSuite } from "./chat-suite.ts";

chatStoreSuite(sqliteMemory);
chatStoreSuite(postgresScratch(await announceSkip("chat store contract")));
