/**
 * The SSE fan-out (src/realtime/stream.ts) on its own: filters, frames, one write per subscriber
 * per flush, coalescing, the hand-over from snapshot to live stream, and dropping slow readers.
 * Subscribers are plain fake responses that record what they are sent.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { afterEach, describe, it } from "node:test";
import type { PresenceEvent } from "../src/domain/presence.ts";
import { matches, type StreamFilter, snapshotMatches } from "../src/domain/stream-filter.ts";
import { StreamHub, type StreamOptions, sseFrame } from "../src/realtime/stream.ts";

class FakeResponse extends EventEmitter {
  writes: (string | Buffer)[] = [];
  writableLength = 0;
  destroyed = false;
  ended: string | undefined;
  write(chunk: string | Buffer): boolean {
    this.writes.push(chunk);
    return true;
  }
  end(chunk: string): void {
    this.ended = chunk;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The SSE ids in everything written, in order. */
  ids(): number[] {
    return [...this.writes.join("").matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

function change(version: number, userId: number, topics: number[], before?: number[]) {
  const event: PresenceEvent = {
    UserId: userId,
    Present: true,
    OngoingChats: 0,
    ChatTopics: topics,
    Previous: before ? { Present: false, OngoingChats: 0, ChatTopics: before } : null,
    Version: version,
    At: new Date(version).toISOString(),
    Source: "api",
    ChangedBy: userId,
  };
  return event;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hubs: StreamHub[] = [];
function hub(options: Partial<StreamOptions> = {}): StreamHub {
  const created = new StreamHub({
    maxBufferedBytes: 1 << 20,
    maxPendingEvents: 100,
    keepAliveMs: 60_000,
    coalesceMs: 0,
    maxPerUser: 1000,
    maxTotal: 1000,
    ...options,
  });
  hubs.push(created);
  return created;
}

/** Adds a fake subscriber that is already live (its snapshot sent up to `version`). */
function live(streams: StreamHub, filter: StreamFilter = {}, version = 0): FakeResponse {
  const response = new FakeResponse();
  streams.goLive(streams.add(response as unknown as ServerResponse, filter, 1), version);
  return response;
}

afterEach(() => {
  for (const created of hubs.splice(0)) created.closeAll(1000);
});

describe("stream filters and frames", () => {
  it("matches a change by user, by topic held now, and by topic just left", () => {
    const joined = change(1, 883, [574]);
    const left = change(2, 883, [], [128]);
    assert.equal(matches({}, joined), true);
    assert.equal(matches({ userId: 883 }, joined), true);
    assert.equal(matches({ userId: 589 }, joined), false);
    assert.equal(matches({ topicId: 574 }, joined), true);
    assert.equal(matches({ topicId: 128 }, joined), false, "no Previous to look in");
    assert.equal(matches({ topicId: 128 }, left), true, "a stream of 128 sees the user leave");
    assert.equal(matches({ userId: 883, topicId: 574 }, joined), true);
    assert.equal(matches({ userId: 589, topicId: 574 }, joined), false, "both must hold");
  });

  it("matches snapshot rows by user and topic, a row without ChatTopics only unfiltered by topic", () => {
    const row = { UserId: 883, DisplayName: "K", OngoingChats: 0, Present: true, ChatTopics: [5] };
    assert.equal(snapshotMatches({ topicId: 5 }, row), true);
    assert.equal(snapshotMatches({ topicId: 6 }, row), false);
    assert.equal(snapshotMatches({ userId: 589 }, row), false);
    const selected = { ...row, ChatTopics: null };
    assert.equal(snapshotMatches({ topicId: 5 }, selected), false);
    assert.equal(snapshotMatches({ userId: 883 }, selected), true);
  });

  it("writes SSE frames with an id only when given one", () => {
    assert.equal(sseFrame("change", '{"a":1}', 42), 'id: 42\nevent: change\ndata: {"a":1}\n\n');
    assert.equal(sseFrame("snapshot", "[]"), "event: snapshot\ndata: []\n\n");
    assert.equal(sseFrame("change", "{}", 0), "id: 0\nevent: change\ndata: {}\n\n");
  });
});

describe("StreamHub fan-out", () => {
  it("sends each subscriber the changes of one turn in one write, in order, filtered", async () => {
    const streams = hub();
    const [a, b] = [live(streams), live(streams)];
    const user = live(streams, { userId: 589 });
    const topic = live(streams, { topicId: 128 });
    const none = live(streams, { userId: 1 });
    streams.publish([change(1, 883, [574]), change(2, 589, [])]);
    streams.publish([change(3, 883, [], [128])]);
    assert.equal(a.writes.length, 0, "nothing is written before the flush");
    await nextTurn();
    assert.deepEqual([a.writes.length, b.writes.length], [1, 1]);
    assert.deepEqual(a.ids(), [1, 2, 3]);
    assert.equal(a.writes[0], b.writes[0], "unfiltered subscribers share one encoded buffer");
    assert.deepEqual([user.writes.length, user.ids()], [1, [2]]);
    assert.deepEqual([topic.writes.length, topic.ids()], [1, [3]]);
    assert.deepEqual(none.writes, [], "no matching change, no write");
  });

  it("sends the first change at once, then coalesces what follows within coalesceMs", async () => {
    const streams = hub({ coalesceMs: 1000 });
    const reader = live(streams);
    streams.publish([change(1, 883, [])]);
    await nextTurn();
    const flushedAt = performance.now();
    assert.deepEqual(reader.ids(), [1], "the first change went out on the next turn");
    streams.publish([change(2, 883, [])]);
    await nextTurn();
    streams.publish([change(3, 589, [])]);
    await sleep(50);
    assert.equal(reader.writes.length, 1, "later changes wait for the coalescing window");
    while (reader.writes.length < 2 && performance.now() - flushedAt < 10_000) await sleep(20);
    const waited = performance.now() - flushedAt;
    assert.equal(reader.writes.length, 2, "both waiting changes went in one write");
    assert.deepEqual(reader.ids(), [1, 2, 3]);
    assert.ok(waited >= 950, `the second write came ${Math.round(waited)} ms after the first`);
  });

  it("with coalesceMs 0 flushes every turn", async () => {
    const streams = hub({ coalesceMs: 0 });
    const reader = live(streams);
    streams.publish([change(1, 883, [])]);
    await nextTurn();
    streams.publish([change(2, 883, [])]);
    await nextTurn();
    assert.deepEqual(
      reader.writes.map((w) => String(w).match(/^id: (\d+)/)?.[1]),
      ["1", "2"],
    );
  });
});

describe("StreamHub from snapshot to live", () => {
  it("holds changes during the snapshot and sends only those newer than it, once", async () => {
    const streams = hub();
    const response = new FakeResponse();
    const joining = streams.add(response as unknown as ServerResponse, { userId: 883 }, 1);
    const other = live(streams);
    streams.publish([change(5, 883, []), change(6, 589, []), change(7, 883, [])]);
    assert.deepEqual(
      joining.pending?.map((held) => held.version),
      [5, 7],
      "only its own changes are held",
    );
    streams.goLive(joining, 5);
    assert.deepEqual(response.ids(), [7], "5 was in the snapshot already");
    streams.publish([change(8, 883, [])]);
    await nextTurn();
    assert.deepEqual(response.ids(), [7, 8], "the flush does not send 7 again");
    assert.deepEqual(other.ids(), [5, 6, 7, 8]);
  });

  it("drops a subscriber whose snapshot takes more changes than maxPendingEvents", () => {
    const streams = hub({ maxPendingEvents: 2 });
    const response = new FakeResponse();
    streams.add(response as unknown as ServerResponse, {}, 1);
    streams.publish([change(1, 1, []), change(2, 2, [])]);
    assert.equal(response.destroyed, false, "two held changes are within the limit");
    streams.publish([change(3, 3, [])]);
    assert.deepEqual([response.destroyed, streams.dropped, streams.size], [true, 1, 0]);
  });
});

describe("StreamHub upkeep", () => {
  it("drops a reader whose unsent bytes pass the limit, and keeps writing to the others", async () => {
    const streams = hub({ maxBufferedBytes: 1000 });
    const slow = live(streams);
    const fast = live(streams);
    slow.writableLength = 1001;
    fast.writableLength = 1000;
    streams.publish([change(1, 883, [])]);
    await nextTurn();
    assert.deepEqual([slow.destroyed, slow.writes.length], [true, 0]);
    assert.deepEqual([fast.destroyed, fast.ids()], [false, [1]]);
    assert.deepEqual([streams.dropped, streams.size], [1, 1]);
  });

  it("forgets a subscriber whose connection closes", async () => {
    const streams = hub();
    const leaving = live(streams);
    live(streams);
    leaving.emit("close");
    assert.equal(streams.size, 1);
    streams.publish([change(1, 883, [])]);
    await nextTurn();
    assert.deepEqual(leaving.writes, []);
  });

  it("sends keep-alive comments to every subscriber, filtered or not", async () => {
    const streams = hub({ keepAliveMs: 30 });
    const all = live(streams);
    const filtered = live(streams, { userId: 1 });
    await sleep(200);
    for (const reader of [all, filtered])
      assert.match(reader.writes.join(""), /^(: keep-alive\n\n)+$/);
  });

  it("a stream with a feed of its own gets keep-alives and its frames, never presence changes", async () => {
    const streams = hub({ keepAliveMs: 30, maxPerUser: 2, maxBufferedBytes: 100 });
    const own = new FakeResponse();
    const subscriber = streams.add(own as unknown as ServerResponse, null, 1);
    streams.goLive(subscriber, 0);
    live(streams);
    assert.throws(() => live(streams), /change streams open/, "counted in the owner's limit");
    streams.publish([change(1, 883, [])]);
    assert.equal(streams.push(subscriber, sseFrame("message", "{}", 7)), true);
    await sleep(200);
    const text = own.writes.join("");
    assert.match(text, /^id: 7\nevent: message\ndata: \{\}\n\n(: keep-alive\n\n)+$/);
    assert.doesNotMatch(text, /event: change/);
    own.writableLength = 101;
    assert.equal(streams.push(subscriber, sseFrame("message", "{}", 8)), false, "too far behind");
    assert.equal(own.destroyed, true);
    assert.equal(streams.push(subscriber, sseFrame("message", "{}", 9)), false, "gone");
  });

  it("on closeAll flushes what is queued, then ends every stream with a retry hint", () => {
    const streams = hub({ coalesceMs: 0 });
    const reader = live(streams);
    streams.publish([change(1, 883, [])]);
    streams.closeAll(2500);
    assert.deepEqual(reader.ids(), [1]);
    assert.equal(reader.ended, "retry: 2500\n\n");
    assert.equal(streams.size, 0);
  });
});
