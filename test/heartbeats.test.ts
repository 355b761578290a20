/**
 * Heartbeats in bulk, on SQLite and PostgreSQL: many agents' heartbeats arriving together are
 * renewed by a few writes, not one each, and the expiry semantics stay: a renewed user does
 * not lapse at the old deadline, one that was not renewed does, and each lapses once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/domain/presence.ts";
import { parseSeed } from "../src/domain/seed.ts";
import { createServices, type Services } from "../src/service/services.ts";
import { openPostgresStore } from "../src/store/postgres/store.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";
import type { Store } from "../src/store/store.ts";
import { announceSkip, scratchSchema } from "./support/postgres.ts";

const AGENTS = 500;
const TTL_S = 60;
const agent = (userId: number): Actor => ({ userId, username: `a${userId}`, role: "agent" });

function suite(name: string, skip: boolean, open: () => Promise<Store>, drop = async () => {}) {
  describe(`bulk heartbeats: ${name}`, { skip }, () => {
    let services: Services;
    let store: Store;
    before(async () => {
      store = await open();
      services = createServices(store, { presenceTtlSeconds: TTL_S });
      const users = Array.from({ length: AGENTS }, (_, i) => ({
        id: i + 1,
        username: `a${i + 1}`,
      }));
      await services.directory.importSeed(parseSeed({ users }));
    });
    after(async () => {
      await store?.close();
      await drop();
    });

    it("renews hundreds of concurrent heartbeats with a few writes, keeping expiry exact", async () => {
      const ids = Array.from({ length: AGENTS }, (_, i) => i + 1);
      for (const id of ids)
        await services.presence.save(agent(id), [{ userId: id, present: true }]);
      await new Promise((r) => setTimeout(r, 30));
      const beating = ids.filter((id) => id % 5 !== 0);
      const writesBefore = services.presence.renewals.writes;
      const beatAt = Date.now();
      const answers = await Promise.all(
        beating.map((id) => services.presence.heartbeat(agent(id))),
      );
      const writes = services.presence.renewals.writes - writesBefore;
      console.log(`${name}: ${beating.length} concurrent heartbeats, ${writes} writes`);
      assert.ok(writes >= 1 && writes <= 3, `${writes} writes`);
      assert.deepEqual(
        answers.map((p) => p.UserId),
        beating,
      );
      // Past the deadline of the save: only the agents that did not beat lapse.
      // (saves all ended before beatAt; renewals are written at least one window after it)
      const lapsedFirst = await services.presence.expireDue(beatAt + TTL_S * 1000 + 1);
      const silent = ids.filter((id) => id % 5 === 0);
      assert.deepEqual(
        lapsedFirst.map((e) => e.UserId).sort((a, b) => a - b),
        silent,
      );
      // Past the renewed deadlines: everyone else lapses, each once.
      const lapsedLater = await services.presence.expireDue(Date.now() + TTL_S * 1000 + 100);
      assert.deepEqual(
        lapsedLater.map((e) => e.UserId).sort((a, b) => a - b),
        beating,
      );
      assert.deepEqual(await services.presence.expireDue(Date.now() + TTL_S * 2000), []);
    });

    it("a heartbeat for an unknown user is refused and renews nobody", async () => {
      await assert.rejects(
        services.presence.heartbeat({ userId: 1, username: "a1", role: "admin" }, 99_999),
        (error: { code?: string }) => error.code === "PRES_ERR_UNKNOWN_USER",
      );
    });
  });
}

suite("sqlite", false, async () => openSqliteStore({ path: ":memory:" }));
const skip = await announceSkip("bulk heartbeats");
const scratch = scratchSchema();
suite(
  "postgres",
  skip,
  () => openPostgresStore({ url: scratch.url }),
  () => scratch.drop(),
);
