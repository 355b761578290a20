import { announceSkip } from "../postgres.ts";
import { postgresScratch, sqliteMemory } from "./backends.ts";
import { chatStoreSuite } from "./chat-suite.ts";

chatStoreSuite(sqliteMemory);
chatStoreSuite(postgresScratch(await announceSkip("chat store contract")));
