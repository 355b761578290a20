/**
 * PostgreSQL: creating a session takes no lock that another transaction's session write holds
 * off, so creates, and creates and routing's assignments, across nodes do not take turns.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/store.ts";
import type { Store } from "../../src/store/store.ts";
import { postgresSkip } from "../support/backends.ts";
import { scratchSchema } from "../support/postgres.ts";
import { directory, queued } from "../support/store-contract.ts";

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms),
    ),
  ]);

describe("session creates on PostgreSQL", { skip: postgresSkip }, () => {
  const scratch = scratchSchema();
  let store: Store;
  let writer: pg.Client;

  before(async () => {
    store = await openPostgresStore({ url: scratch.url });
    await store.importDirectory(directory());
    writer = new pg.Client({ connectionString: scratch.url });
    await writer.connect();
    const schema = new URL(scratch.url).searchParams.get("schema") as string;
    await writer.query(`SET search_path TO "${schema}"`);
  });
  after(async () => {
    await writer.end();
    await store.close();
    await scratch.drop();
  });

  it("a create does not wait for a session update still open in another transaction", async () => {
    await writer.query("BEGIN");
    try {
      await writer.query("UPDATE sessions SET status = 'Finished' WHERE id = 100");
      const created = await within(3_000, store.createSession(queued(20)));
      assert.equal(created.initialQueuePos, 2);
      const other = await within(3_000, store.createSession(queued(10)));
      assert.equal(other.initialQueuePos, 1);
    } finally {
      await writer.query("ROLLBACK");
    }
  });

  it("a create does not wait for another create still open, in the same topic or another", async () => {
    await writer.query("BEGIN");
    try {
      await writer.query(
        "INSERT INTO sessions (id, topic_id, status, initial_queue_pos) VALUES (9000, 10, 'InQueue', 1)",
      );
      const same = await within(3_000, store.createSession(queued(10)));
      assert.equal(same.initialQueuePos, 2, "the one queued before, not the open create");
      const created = await within(3_000, store.createSession(queued(20)));
      assert.equal(created.status, "InQueue");
    } finally {
      await writer.query("ROLLBACK");
    }
  });
});
