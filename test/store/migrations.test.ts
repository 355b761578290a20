/** Opening a store migrates its schema; on PostgreSQL several nodes may do so at the same moment. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import { postgresSkip } from "../support/backends.ts";
import { scratchSchema } from "../support/postgres.ts";

describe("postgres only: nodes starting together", { skip: postgresSkip }, () => {
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
