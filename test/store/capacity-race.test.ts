/**
 * Capacity under real concurrency, on each backend's own terms: worker threads with their own
 * connections to one SQLite file, and two stores with pools of their own (as two nodes have)
 * on one PostgreSQL schema. An agent at MaxChats 2 races for ten chats, half queued and half
 * offered as transfers, round after round: exactly two are theirs each time.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { acceptTransfer, offerTransfer, pickUp } from "../../src/domain/session.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";
import type { Store } from "../../src/store/store.ts";
import { postgresSkip } from "../support/backends.ts";
import type { RaceRound } from "../support/capacity-worker.ts";
import { twoNodesOnOneSchema } from "../support/postgres.ts";
import { directory, queued } from "../support/store-contract.ts";

const ROUNDS = 25;
const LIMIT = 2;

/** Worker threads do not inherit tsx's loader on Node 20: register it, then load the worker. */
const WORKER_BOOT = `import("tsx/esm/api").then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL("../support/capacity-worker.ts", import.meta.url).href)});
});`;

/** Each round: a new agent at MaxChats 2, five queued sessions and five offered to them. */
async function prepare(store: Store): Promise<RaceRound[]> {
  await store.importDirectory(directory());
  const owner = await store.createUser({
    username: "owner",
    displayName: "Owner",
    role: "agent",
    passwordHash: null,
  });
  const rounds: RaceRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const racer = await store.createUser({
      username: `racer${round}`,
      displayName: `Racer ${round}`,
      role: "agent",
      passwordHash: null,
      maxChats: LIMIT,
    });
    const waiting: number[] = [];
    const offered: number[] = [];
    for (let i = 0; i < 5; i++) waiting.push((await store.createSession(queued(10))).id);
    for (let i = 0; i < 5; i++) {
      const { id } = await store.createSession(queued(20));
      await store.updateSessionIf(id, pickUp(owner.id, 1));
      await store.updateSessionIf(id, offerTransfer(owner.id, racer.id));
      offered.push(id);
    }
    rounds.push({ racer: racer.id, waiting, offered });
  }
  return rounds;
}

/** Every round: the agent holds exactly LIMIT chats, the ones reported won, each won once. */
async function assertRounds(store: Store, rounds: RaceRound[], won: number[][][]) {
  for (const [index, round] of rounds.entries()) {
    const claims = won.flatMap((perRacer) => perRacer[index]);
    assert.equal(new Set(claims).size, claims.length, `round ${index}: no chat won twice`);
    assert.equal(claims.length, LIMIT, `round ${index}: exactly ${LIMIT} won`);
    const presence = await store.presenceOf([round.racer]);
    assert.equal(presence[0].OngoingChats, LIMIT, `round ${index}: OngoingChats`);
    for (const id of claims) assert.equal((await store.getSession(id))?.user?.id, round.racer);
  }
}

describe("capacity under concurrency", () => {
  it("sqlite: four worker threads on one file never take an agent over MaxChats", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-presence-capacity-"));
    try {
      const path = join(dir, "capacity.db");
      const store = openSqliteStore({ path });
      const rounds = await prepare(store);
      const gate = new Int32Array(new SharedArrayBuffer(4));
      const workers = Array.from(
        { length: 4 },
        () =>
          new Promise<number[][]>((resolve, reject) => {
            const worker = new Worker(WORKER_BOOT, {
              eval: true,
              workerData: { path, rounds, gate, parties: 4 },
            });
            worker.once("message", resolve);
            worker.once("error", reject);
          }),
      );
      const won = await Promise.all(workers);
      await assertRounds(store, rounds, won);
      assert.ok(won.filter((w) => w.flat().length > 0).length > 1, "the workers really competed");
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("postgres only", { skip: postgresSkip }, () => {
    const withTwoNodes = twoNodesOnOneSchema();

    it("two nodes' pools on one schema never take an agent over MaxChats", async () => {
      await withTwoNodes(async (nodes) => {
        const rounds = await prepare(nodes[0]);
        const won: number[][] = [];
        for (const [index, round] of rounds.entries()) {
          // Every chat tried from both nodes: session races and capacity races at once.
          const tries = nodes.flatMap((node) => [
            ...round.waiting.map((id) => node.updateSessionIf(id, pickUp(round.racer, index))),
            ...round.offered.map((id) => node.updateSessionIf(id, acceptTransfer(round.racer))),
          ]);
          won.push((await Promise.all(tries)).flatMap((s) => (s ? [s.id] : [])));
        }
        await assertRounds(nodes[0], rounds, [won]);
      });
    });
  });
});
