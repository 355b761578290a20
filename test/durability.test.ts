/**
 * Durability on SQLite (WAL, synchronous=NORMAL): a server killed with SIGKILL while clients
 * stream saves over REST, Agents and SOAP loses none that it acknowledged. Each user is
 * switched on exactly once, so an acknowledged save can only be undone by loss; a save in
 * flight at the kill may or may not have landed (it was never acknowledged).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { type ServerProcess, spawnServer } from "./support/processes.ts";
import {
  ADMIN_AUTH,
  agentsSave,
  presentMap,
  restSave,
  sleep,
  soapSave,
  soapSignIn,
  writeSeed,
} from "./support/reliability.ts";

const USERS = 4000;

describe("SIGKILL while clients stream saves (SQLite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-presence-durability-"));
  const db = join(dir, "store.db");
  let node: ServerProcess | undefined;
  after(async () => {
    await node?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("every save that got its 204 or SOAP response is there after a restart", async () => {
    const seed = writeSeed(dir, USERS);
    const serve = ["serve", "--port", "0", "--db", db, "--log-level", "warn"];
    node = await spawnServer([...serve, "--seed", seed]);
    const first = node;
    const signIn = await soapSignIn(first.url, "admin", "admin-pw");
    assert.ok(signIn.ticket, signIn.text);
    const ticket = signIn.ticket;
    assert.equal(await restSave(first.url, ADMIN_AUTH, 1, false), 204); // warms the Basic cache

    type Via = "REST" | "Agents" | "SOAP";
    const acknowledged: { userId: number; via: Via }[] = [];
    const attempted = new Set<number>();
    let stop = false;
    const writer = async (via: Via, from: number, to: number) => {
      for (let userId = from; userId < to && !stop; userId++) {
        attempted.add(userId);
        try {
          const ok =
            via === "SOAP"
              ? await soapSave(first.url, ticket, userId, true)
              : (via === "REST"
                  ? await restSave(first.url, ADMIN_AUTH, userId, true)
                  : await agentsSave(first.url, ADMIN_AUTH, userId, true)) === 204;
          if (ok) acknowledged.push({ userId, via });
        } catch {
          // The killed server dropped the connection: never acknowledged.
        }
      }
    };
    const slice = Math.floor((USERS - 2) / 5);
    const writers = [
      writer("REST", 2, 2 + slice),
      writer("REST", 2 + slice, 2 + 2 * slice),
      writer("Agents", 2 + 2 * slice, 2 + 3 * slice),
      writer("Agents", 2 + 3 * slice, 2 + 4 * slice),
      writer("SOAP", 2 + 4 * slice, USERS + 1),
    ];
    // Kill once every protocol has had saves acknowledged (at least 1.5 s in), however slow
    // a loaded machine makes them.
    const ackedVia = (via: Via) => acknowledged.filter((a) => a.via === via).length;
    const started = Date.now();
    await sleep(1500);
    while (
      Date.now() - started < 20_000 &&
      !(["REST", "Agents", "SOAP"] as const).every((via) => ackedVia(via) > 10)
    )
      await sleep(100);
    await first.stop("SIGKILL");
    stop = true;
    await Promise.all(writers);
    assert.equal(first.child.signalCode, "SIGKILL");

    // The WAL is still beside the database: nothing was checkpointed by a clean close.
    const journal = new Database(db, { readonly: true, fileMustExist: true });
    const mode = journal.pragma("journal_mode", { simple: true });
    journal.close();
    assert.equal(mode, "wal");

    node = await spawnServer(serve);
    const stored = await presentMap(node.url);
    const lost = acknowledged.filter((a) => stored.get(a.userId) !== true);
    const acked = new Set(acknowledged.map((a) => a.userId));
    const inFlight = [...attempted].filter((id) => !acked.has(id));
    const landed = inFlight.filter((id) => stored.get(id) === true).length;
    const by = ackedVia;
    console.log(
      `durability: ${acknowledged.length} saves acknowledged before SIGKILL (REST ${by("REST")}, Agents ${by("Agents")}, SOAP ${by("SOAP")}), ${acknowledged.length - lost.length} found after restart, ${lost.length} lost; ${inFlight.length} in flight at the kill, ${landed} of them landed`,
    );
    for (const via of ["REST", "Agents", "SOAP"] as const)
      assert.ok(by(via) > 10, `${via} saves were acknowledged before the kill`);
    assert.deepEqual(lost, []);
    // Nothing appeared that nobody sent.
    const strays = [...stored].filter(([id, present]) => present && !attempted.has(id));
    assert.deepEqual(strays, []);
  });
});
