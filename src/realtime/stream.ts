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
import type { ChatPresence, PresenceEvent } from "../domain/presence.ts";

export interface StreamFilter {
  userId?: number;
  topicId?: number;
}

export interface StreamOptions {
  /** Bytes a subscriber may have unsent before it is dropped. */
  maxBufferedBytes: number;
  /** Changes a subscriber may have held while its snapshot is written. */
  maxPendingEvents: number;
  /** Interval of `: keep-alive` comments, which stop proxies from closing idle streams. */
  keepAliveMs: number;
  /** Least time between two flushes of live frames, ms (default 10); 0 flushes every turn. */
  coalesceMs?: number;
}

export interface Subscriber {
  response: ServerResponse;
  filter: StreamFilter;
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

export function matches(filter: StreamFilter, event: PresenceEvent): boolean {
  if (filter.userId !== undefined && event.UserId !== filter.userId) return false;
  if (filter.topicId === undefined) return true;
  return (
    event.ChatTopics.includes(filter.topicId) ||
    (event.Previous?.ChatTopics.includes(filter.topicId) ?? false)
  );
}

export function snapshotMatches(filter: StreamFilter, presence: ChatPresence): boolean {
  if (filter.userId !== undefined && presence.UserId !== filter.userId) return false;
  return filter.topicId === undefined || (presence.ChatTopics ?? []).includes(filter.topicId);
}

export function sseFrame(event: string, data: string, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

export class StreamHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly keepAlive: NodeJS.Timeout;
  /** Subscribers dropped for reading too slowly, since start. */
  dropped = 0;
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
   * snapshot and the live stream: changes are held until `goLive`.
   */
  add(response: ServerResponse, filter: StreamFilter): Subscriber {
    const subscriber: Subscriber = { response, filter, pending: [], liveFrom: 0 };
    this.subscribers.add(subscriber);
    response.on("close", () => this.subscribers.delete(subscriber));
    return subscriber;
  }

  /** Writes the held changes newer than what the subscriber was already sent, then streams live. */
  goLive(subscriber: Subscriber, sentUpToVersion: number): void {
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
        if (subscriber.pending && matches(subscriber.filter, event))
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
      if (subscriber.liveFrom <= first && isUnfiltered(subscriber.filter)) {
        everything ??= Buffer.from(queued.map((q) => q.frame).join(""));
        this.write(subscriber, everything);
        continue;
      }
      let text = "";
      for (const q of queued)
        if (q.sequence >= subscriber.liveFrom && (!q.event || matches(subscriber.filter, q.event)))
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

function isUnfiltered(filter: StreamFilter): boolean {
  return filter.userId === undefined && filter.topicId === undefined;
}
