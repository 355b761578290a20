/**
 * Server-Sent Events fan-out. Each change is serialised once and written to every matching
 * subscriber; a subscriber whose socket buffer passes the limit is dropped, so one slow
 * reader never holds back the writers or the other readers.
 *
 * Writes are coalesced: changes published in the same turn of the event loop, or within
 * `coalesceMs` of the previous flush, reach each subscriber in one write. A write per subscriber
 * costs a system call, and with many subscribers those calls are most of the fan-out's cost;
 * when changes are rare the first one still goes out at once.
 */
import type { ServerResponse } from "node:http";
import { PresenceError } from "../domain/errors.ts";
import type { PresenceEvent } from "../domain/presence.ts";
import { isUnfiltered, matches, type StreamFilter } from "../domain/stream-filter.ts";

/** Bytes of a snapshot or replay written before waiting for the socket to drain. */
const CHUNK_BYTES = 64 * 1024;

export interface StreamOptions {
  /** Bytes a subscriber may have unsent before it is dropped. */
  maxBufferedBytes: number;
  /** Changes a subscriber may have held while its snapshot is written. */
  maxPendingEvents: number;
  /** Interval of `: keep-alive` comments, which stop proxies from closing idle streams. */
  keepAliveMs: number;
  /** Least time between two flushes of live frames, ms (default 10); 0 flushes every turn. */
  coalesceMs?: number;
  /** Streams one user may have open at once. */
  maxPerUser: number;
  /** Streams open at once in all (each holds a file descriptor). */
  maxTotal: number;
}

export interface Subscriber {
  response: ServerResponse;
  /**
   * The presence changes it carries; null for a stream with a feed of its own (a session's
   * messages), which gets only keep-alives from the hub and its own frames through `push`.
   */
  filter: StreamFilter | null;
  /** The signed-in user the stream counts against. */
  owner: number;
  /** Frames held back while the subscriber's snapshot or backlog is being written. */
  pending: { version: number; frame: string }[] | null;
  /** Sequence number of the first queued frame meant for it (earlier ones were held instead). */
  liveFrom: number;
}

/** A frame waiting for the next flush; `event` null is for every live subscriber. */
interface Queued {
  sequence: number;
  frame: string;
  event: PresenceEvent | null;
}

/** Answers an admitted stream: the event-stream headers, unbuffered by proxies. */
export function startEventStream(response: ServerResponse, requestId: string): void {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "request-id": requestId,
  });
}

export function sseFrame(event: string, data: string, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

export class StreamHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly keepAlive: NodeJS.Timeout;
  /** Subscribers dropped for reading too slowly, since start. */
  dropped = 0;
  /** Open streams per user, counted from admission until the connection closes. */
  private readonly openByUser = new Map<number, number>();
  private open = 0;
  private queued: Queued[] = [];
  private sequence = 0;
  private flushScheduled = false;
  /** performance.now() before which the next flush waits. */
  private nextFlushAt = Number.NEGATIVE_INFINITY;
  private readonly coalesceMs: number;

  constructor(private readonly options: StreamOptions) {
    this.coalesceMs = options.coalesceMs ?? 10;
    this.keepAlive = setInterval(() => this.broadcastRaw(": keep-alive\n\n"), options.keepAliveMs);
    this.keepAlive.unref();
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Registers an open response before its snapshot is read, so no change can fall between the
   * snapshot and the live stream: changes are held until `goLive`. Refuses (429) a stream over
   * the owner's or the server's limit; call it before answering, so the refusal can be sent.
   */
  add(response: ServerResponse, filter: StreamFilter | null, owner: number): Subscriber {
    const owned = this.openByUser.get(owner) ?? 0;
    if (owned >= this.options.maxPerUser)
      throw new PresenceError("PRES_ERR_STREAMS_PER_USER", { limit: this.options.maxPerUser });
    if (this.open >= this.options.maxTotal)
      throw new PresenceError("PRES_ERR_STREAMS_TOTAL", {
        limit: this.options.maxTotal,
        retryAfter: 5,
      });
    this.openByUser.set(owner, owned + 1);
    this.open++;
    const subscriber: Subscriber = { response, filter, owner, pending: [], liveFrom: 0 };
    this.subscribers.add(subscriber);
    // 'close' comes once, however the stream ends (client gone, dropped, shut down).
    response.once("close", () => {
      this.subscribers.delete(subscriber);
      this.release(owner);
    });
    return subscriber;
  }

  private release(owner: number): void {
    this.open--;
    const owned = (this.openByUser.get(owner) ?? 1) - 1;
    if (owned === 0) this.openByUser.delete(owner);
    else this.openByUser.set(owner, owned);
  }

  get limits(): { maxPerUser: number; maxTotal: number } {
    return { maxPerUser: this.options.maxPerUser, maxTotal: this.options.maxTotal };
  }

  /** Streams open now, counted as the limits count them. */
  get openStreams(): number {
    return this.open;
  }

  /** The largest replay sent as it is; a bigger one is answered with resync and a snapshot. */
  get maxReplayBytes(): number {
    return this.options.maxBufferedBytes;
  }

  /**
   * Writes a subscriber's snapshot or replay (it is not live yet, so its changes are held) in
   * chunks, waiting for the socket to drain between them: a client that reads slowly is not
   * dropped for a backlog it did not ask to have written at once. False once the stream closed.
   */
  async send(subscriber: Subscriber, text: string | Buffer): Promise<boolean> {
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    const { response } = subscriber;
    for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
      if (isClosed(response)) return false;
      const more = response.write(bytes.subarray(start, start + CHUNK_BYTES));
      if (!more && !(await drained(response))) return false;
    }
    return !isClosed(response);
  }

  /** Writes the held changes newer than what the subscriber was already sent, then streams live. */
  goLive(subscriber: Subscriber, sentUpToVersion: number): void {
    if (isClosed(subscriber.response)) return;
    const pending = subscriber.pending ?? [];
    subscriber.pending = null;
    subscriber.liveFrom = this.sequence;
    for (const held of pending)
      if (held.version > sentUpToVersion) this.write(subscriber, held.frame);
  }

  /**
   * Queues each event for every live subscriber (written at the next flush), and holds it for
   * subscribers whose snapshot is still being written.
   */
  publish(events: readonly PresenceEvent[]): void {
    if (this.subscribers.size === 0) return;
    for (const event of events) {
      const frame = sseFrame("change", JSON.stringify(event), event.Version);
      for (const subscriber of this.subscribers)
        if (subscriber.pending && carries(subscriber, event))
          this.hold(subscriber, event.Version, frame);
      this.queue(frame, event);
    }
  }

  private queue(frame: string, event: PresenceEvent | null): void {
    this.queued.push({ sequence: this.sequence++, frame, event });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const wait = this.nextFlushAt - performance.now();
    if (wait <= 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), wait);
  }

  /**
   * Writes the queued frames: one write per subscriber. Subscribers without a filter share one
   * buffer, so the frames are joined and encoded once, not once per subscriber.
   */
  private flush(): void {
    this.flushScheduled = false;
    this.nextFlushAt = performance.now() + this.coalesceMs;
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return;
    const first = queued[0].sequence;
    let everything: Buffer | undefined;
    for (const subscriber of this.subscribers) {
      if (subscriber.pending) continue;
      if (
        subscriber.liveFrom <= first &&
        subscriber.filter !== null &&
        isUnfiltered(subscriber.filter)
      ) {
        everything ??= Buffer.from(queued.map((q) => q.frame).join(""));
        this.write(subscriber, everything);
        continue;
      }
      let text = "";
      for (const q of queued)
        if (q.sequence >= subscriber.liveFrom && (!q.event || carries(subscriber, q.event)))
          text += q.frame;
      if (text) this.write(subscriber, text);
    }
  }

  private hold(subscriber: Subscriber, version: number, frame: string): void {
    const pending = subscriber.pending as { version: number; frame: string }[];
    pending.push({ version, frame });
    if (pending.length > this.options.maxPendingEvents) this.drop(subscriber);
  }

  /** Ends every stream with a retry hint, for a graceful shutdown. */
  closeAll(retryMs: number): void {
    clearInterval(this.keepAlive);
    this.flush();
    for (const subscriber of this.subscribers) subscriber.response.end(`retry: ${retryMs}\n\n`);
    this.subscribers.clear();
  }

  private broadcastRaw(text: string): void {
    if (this.subscribers.size > 0) this.queue(text, null);
  }

  /**
   * Writes a frame of the subscriber's own feed once it is live (false when the stream is
   * gone), with the same rule as changes: a reader too far behind is dropped.
   */
  push(subscriber: Subscriber, text: string): boolean {
    if (!this.subscribers.has(subscriber) || isClosed(subscriber.response)) return false;
    this.write(subscriber, text);
    return this.subscribers.has(subscriber);
  }

  /** Writes to one subscriber at once, first dropping it if it has fallen too far behind. */
  write(subscriber: Subscriber, text: string | Buffer): void {
    if (subscriber.response.writableLength > this.options.maxBufferedBytes) this.drop(subscriber);
    else subscriber.response.write(text);
  }

  private drop(subscriber: Subscriber): void {
    this.dropped++;
    this.subscribers.delete(subscriber);
    subscriber.response.destroy();
  }
}

/** Whether a presence change belongs on this subscriber's stream. */
function carries(subscriber: Subscriber, event: PresenceEvent): boolean {
  return subscriber.filter !== null && matches(subscriber.filter, event);
}

/** Ended by shutdown or gone: writing more would be an error. */
function isClosed(response: ServerResponse): boolean {
  return response.destroyed || response.writableEnded;
}

/** Resolves true when the response drains, false if it closes first. */
function drained(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      response.off("drain", onDrain);
      response.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    response.on("drain", onDrain);
    response.on("close", onClose);
  });
}
