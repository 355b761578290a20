/**
 * The PostgreSQL history log without a lock on writers: many concurrent appends and saves from
 * several pools (as several nodes would), slow transactions that take an id and commit late,
 * and rolled-back ones that leave a hole, while a change bus follows the log. Every committed
 * entry must reach the bus exactly once, in id order, and nothing may be skipped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { PresenceEvent } from "../src/domain/presence.ts";
import type { NewHistoryEntry } from "../src/store/history.ts";
import type { PostgresBus } from "../src/store/postgres/bus.ts";
import { openPostgresBackend, openPostgresStore } from "../src/store/postgres/store.ts";
import type { Store } from "../src/store/store.ts";
import { announceSkip, PG_URL, scratchSchema } from "./support/postgres.ts";

const skip = await announceSkip("history order");
const USERS = 60;
const ROUNDS = 12;

function entry(userId: number, present: boolean): NewHistoryEntry {
  return {
    UserId: userId,
    Present: present,
    OngoingChats: 0,
    ChatTopics: [],
    Previous: { Present: !present, OngoingChats: 0, ChatTopics: [] },
    Source: "api",
    ChangedBy: 1,
    at: Date.now(),
  };
}

/** A writer that takes its id first and commits (or rolls back) only after `holdMs`. */
async function lateWriter(client: pg.Client, holdMs: number, commit: boolean): Promise<void> {
  await client.query("BEGIN");
  await client.query("SELECT pg_current_xact_id()");
  await client.query(
    `INSERT INTO presence_history (user_id, present, ongoing_chats, chat_topics, source, at)
     VALUES (1, true, 0, '{}', 'api', 0)`,
  );
  await new Promise((r) => setTimeout(r, holdMs));
  await client.query(commit ? "COMMIT" : "ROLLBACK");
}

describe("postgres history: concurrent writers, one ordered reader", { skip }, () => {
  const scratch = scratchSchema();
  let reader: { store: Store; bus: PostgresBus; messageBus: { close(): Promise<void> } };
  let writers: Store[] = [];
  let raw: pg.Client[] = [];
  const seen: PresenceEvent[] = [];

  before(async () => {
    writers = [await openPostgresStore({ url: scratch.url })];
    await writers[0].importDirectory({
      users: Array.from({ length: USERS }, (_, i) => ({
        id: i + 1,
        username: `u${i + 1}`,
        displayName: `U${i + 1}`,
        role: "agent" as const,
        present: false,
        passwordHash: null,
      })),
      topics: [],
      members: [],
      sessions: [],
      appTokenHashes: [],
    });
    writers.push(
      await openPostgresStore({ url: scratch.url }),
      await openPostgresStore({ url: scratch.url }),
    );
    reader = (await openPostgresBackend({ url: scratch.url })) as typeof reader;
    reader.bus.subscribe((events) => seen.push(...events));
    const schema = new URL(scratch.url).searchParams.get("schema");
    raw = await Promise.all(
      [0, 1].map(async () => {
        const client = new pg.Client({
          connectionString: PG_URL,
          options: `-c search_path=${schema}`,
        });
        await client.connect();
        return client;
      }),
    );
  });
  after(async () => {
    await reader?.bus.close();
    await reader?.messageBus.close();
    await reader?.store.close();
    await Promise.all(writers.map((w) => w.close()));
    await Promise.all(raw.map((c) => c.end()));
    await scratch.drop();
  });

  it("a bus started while an id below the newest is in flight delivers it when it commits", async () => {
    // Held past the start's wait for writes in flight (500 ms), so it commits once the bus runs.
    const late = lateWriter(raw[0], 1200, true);
    await new Promise((r) => setTimeout(r, 50));
    const [after] = await writers[1].appendHistory([entry(5, true)]);
    const { store, bus, messageBus } = await openPostgresBackend({ url: scratch.url });
    const got: PresenceEvent[] = [];
    bus.subscribe((events) => got.push(...events));
    try {
      await late;
      const [next] = await writers[2].appendHistory([entry(6, true)]);
      const deadline = Date.now() + 5000;
      while ((got.at(-1)?.Version ?? 0) < next.Version && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const versions = got.map((e) => e.Version);
      assert.ok(
        versions.some((v) => v < after.Version),
        `the late entry arrived: ${versions}`,
      );
      assert.equal(versions.at(-1), next.Version);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
        "in order",
      );
    } finally {
      await bus.close();
      await messageBus.close();
      await store.close();
    }
  });

  it("delivers every committed entry once, in id order, across rounds of racing writers", async () => {
    let present = false;
    for (let round = 0; round < ROUNDS; round++) {
      present = !present;
      const value = present;
      const work: Promise<unknown>[] = [
        lateWriter(raw[0], 150, true),
        lateWriter(raw[1], 60, false),
      ];
      for (let userId = 1; userId <= USERS; userId++) {
        const store = writers[userId % writers.length];
        work.push(
          userId % 2 === 0
            ? store.appendHistory([entry(userId, value)])
            : store.savePresence([{ userId, present: value }], {
                now: Date.now(),
                ttlSeconds: null,
                describe: (c) => entry(c.userId, c.present),
              }),
        );
      }
      await Promise.all(work);
    }
    const committed = (await writers[0].queryHistory({ limit: 100_000 })).map((e) => e.Version);
    const newest = committed.at(-1) as number;
    const deadline = Date.now() + 10_000;
    while ((seen.at(-1)?.Version ?? 0) < newest && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const versions = seen.map((e) => e.Version);
    for (let i = 1; i < versions.length; i++)
      assert.ok(
        versions[i] > versions[i - 1],
        `out of order at ${i}: ${versions[i - 1]}, ${versions[i]}`,
      );
    assert.deepEqual(versions, committed, "every committed entry, none skipped, none twice");
    // Rolled back writers left holes, and late ones committed below ids already committed.
    assert.ok(newest > committed.length, "the test made holes in the ids");
    assert.equal(reader.bus.delivered(), newest);
    console.log(
      `history order: ${committed.length} entries from ${ROUNDS} rounds, ${newest - committed.length} holes`,
    );
  });
});
