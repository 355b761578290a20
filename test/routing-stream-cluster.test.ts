/**
 * The routing stream across two nodes on one PostgreSQL schema (two servers, each with its own
 * pool and buses): what one node records reaches streams on the other, in id order, nothing
 * missed or repeated, while both record at once; and a stream on the other node resumes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { announceSkip, scratchSchema } from "./support/postgres.ts";
import {
  offer,
  readUntil,
  record,
  routingStream,
  sessionOf,
  untilLive,
} from "./support/routing-stream.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { openStream, type SseEvent } from "./support/sse-client.ts";
import { ADMIN, drain } from "./support/stream-replay.ts";

const skip = await announceSkip("routing stream on two nodes");

describe("routing stream on two PostgreSQL nodes", { skip }, () => {
  const scratch = scratchSchema();
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    a = await startTestServer({ db: scratch.url });
    b = await startTestServer({ db: scratch.url });
  });
  after(async () => {
    await a.close();
    await b.close();
    await scratch.drop();
  });

  it("a stream on B gets what A records", async () => {
    const stream = await routingStream(b, ADMIN);
    await untilLive(a, stream);
    await record(a, [offer(574, 31)]);
    const event = await stream.next(5000);
    stream.close();
    assert.equal(JSON.parse(event.data).ChatSessionId, 31);
  });

  it("both nodes recording at once: each node's stream gets every event once, in id order", async () => {
    const onA = await routingStream(a, ADMIN);
    const onB = await routingStream(b, ADMIN);
    await untilLive(a, onA);
    await untilLive(b, onB);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) writes.push(record(i % 2 ? a : b, [offer(574, 1000 + i)]));
    await Promise.all(writes);
    const ours = (events: SseEvent[]) =>
      events.filter((e) => sessionOf(e) >= 1000 && sessionOf(e) < 1100);
    const all100 = (events: SseEvent[]) => new Set(ours(events).map(sessionOf)).size === 100;
    const [gotA, gotB] = await Promise.all([readUntil(onA, all100), readUntil(onB, all100)]);
    // Anything repeated would come right behind.
    gotA.push(...(await drain(onA, 300)));
    gotB.push(...(await drain(onB, 300)));
    onA.close();
    onB.close();
    for (const got of [gotA, gotB]) {
      const mine = ours(got);
      assert.deepEqual(
        mine.map(sessionOf).sort((x, y) => x - y),
        Array.from({ length: 100 }, (_, i) => 1000 + i),
        "every event, none twice",
      );
      const ids = got.map((e) => Number(e.id));
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
        "in id order",
      );
    }
  });

  it("a stream on B resumes from an id A gave", async () => {
    const probe = await routingStream(a, ADMIN);
    const last = await untilLive(a, probe);
    probe.close();
    await record(a, [offer(574, 41), offer(128, 42)]);
    const stream = await openStream(`${b.url}/api/v1/Routing/Stream`, {
      ...ADMIN,
      "Last-Event-ID": String(last.id),
    });
    const events = await readUntil(stream, (got) => got.length >= 2, 10_000);
    stream.close();
    assert.deepEqual(events.map(sessionOf), [41, 42]);
  });
});
