/**
 * A worker thread for test/store/capacity-race.test.ts: on its own connection to a shared
 * SQLite file, tries every pick-up and transfer acceptance of each round for that round's
 * agent, all workers starting each round together. Posts the sessions it won, per round.
 */
import { parentPort, workerData } from "node:worker_threads";
import { acceptTransfer, pickUp } from "../../src/domain/session.ts";
import { openSqliteStore } from "../../src/store/sqlite/store.ts";

export interface RaceRound {
  racer: number;
  waiting: number[];
  offered: number[];
}

const { path, rounds, gate, parties } = workerData as {
  path: string;
  rounds: RaceRound[];
  /** Counts arrivals; a round starts when every worker has arrived for it. */
  gate: Int32Array;
  parties: number;
};

function arriveAndWait(round: number): void {
  Atomics.add(gate, 0, 1);
  Atomics.notify(gate, 0);
  const target = parties * (round + 1);
  for (let seen = Atomics.load(gate, 0); seen < target; seen = Atomics.load(gate, 0)) {
    Atomics.wait(gate, 0, seen, 50);
  }
}

const store = openSqliteStore({ path });
const won: number[][] = [];
for (const [index, round] of rounds.entries()) {
  const tries = [
    ...round.waiting.map((id) => () => store.updateSessionIf(id, pickUp(round.racer, index))),
    ...round.offered.map((id) => () => store.updateSessionIf(id, acceptTransfer(round.racer))),
  ].sort(() => Math.random() - 0.5);
  arriveAndWait(index);
  const results = await Promise.all(tries.map((attempt) => attempt()));
  won.push(results.flatMap((session) => (session ? [session.id] : [])));
}
await store.close();
parentPort?.postMessage(won);
