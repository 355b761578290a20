import { postgresScratch, sqliteMemory } from "../support/backends.ts";
import { announceSkip } from "../support/postgres.ts";
import { chatStoreSuite } from "./sessions.test.ts";

chatStoreSuite(sqliteMemory);
chatStoreSuite(postgresScratch(await announceSkip("chat store contract")));
