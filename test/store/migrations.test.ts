import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { postgresScratch } from "../support/backends.ts";
import { announceSkip, scratchSchema } from "../support/postgres.ts";
import { storeSuite } from "../support/store-contract.ts";
import { historySuite } from "./history.test.ts";

const skip = await announceSkip("store contract");
storeSuite(postgresScratch(skip));
historySuite(postgresScratch(skip));

describe("postgres: nodes starting together", { skip }, () => {
  it("open one new schema at the same moment and all migrate it", async () => {
    for (let round = 0; round < 10; round++) {
      const scratch = scratchSchema();
      try {
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openPostgresStore({ url: scratch.url })),
        );
        assert.equal(await stores[0].isEmpty(), true);
        await Promise.all(stores.map((store) => store.close()));
      } finally {
        await scratch.drop();
      }
    }
  });
});
