import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metrics } from "../../src/http/metrics.ts";
import { instrumentStore } from "../../src/store/instrumented.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";

describe("instrumented store", () => {
  it("reports every call with whether it failed, and passes other members through", async () => {
    const calls: string[] = [];
    const store = instrumentStore(openSqliteStore({ path: ":memory:" }), (operation) => {
      calls.push(`start ${operation}`);
      return (failed) => calls.push(`end ${operation} ${failed ? "failed" : "ok"}`);
    });
    try {
      assert.equal(store.backend, "sqlite");
      const user = {
        username: "ann",
        displayName: "Ann",
        role: "agent",
        passwordHash: null,
      } as const;
      await store.createUser(user);
      await assert.rejects(store.createUser(user), {
        code: "PRES_ERR_USERNAME_TAKEN",
      });
      assert.deepEqual(calls, [
        "start createUser",
        "end createUser ok",
        "start createUser",
        "end createUser failed",
      ]);
    } finally {
      await store.close();
    }
  });

  it("feeds the store histogram and error counter of /metrics", async () => {
    const metrics = new Metrics();
    const store = instrumentStore(openSqliteStore({ path: ":memory:" }), metrics.observeStore);
    try {
      await store.listUsers();
      await assert.rejects(store.savePresence([{ userId: 99, present: true }]));
      const text = await metrics.render();
      assert.match(text, /chat_presence_store_duration_seconds_count\{operation="listUsers"\} 1\n/);
      assert.match(text, /chat_presence_store_errors_total\{operation="savePresence"\} 1\n/);
      assert.doesNotMatch(text, /chat_presence_store_errors_total\{operation="listUsers"\}/);
    } finally {
      await store.close();
      metrics.close();
    }
  });
});
