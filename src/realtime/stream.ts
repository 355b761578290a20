/**
 * Server-Sent Events fan-out. Each change is serialised once and written to every matching
 * subscriber; a subscriber whose socket buffer passes the limit is dropped, so one slow
 * reader never holds back the writers or the other readers.
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
}

export interface Subscriber {
  response: ServerResponse;
  filter: StreamFilter;
  /** Frames held back while the subscriber's snapshot or backlog is being written. */
  pending: { version: number; frame: string }[] | null;
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

  constructor(private readonly options: StreamOptions) {
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
    const subscriber: Subscriber = { response, filter, pending: [] };
    this.subscribers.add(subscriber);
    response.on("close", () => this.subscribers.delete(subscriber));
    return subscriber;
  }

  /** Writes the held changes newer than what the subscriber was already sent, then streams live. */
  goLive(subscriber: Subscriber, sentUpToVersion: number): void {
    const pending = subscriber.pending ?? [];
    subscriber.pending = null;
    for (const held of pending)
      if (held.version > sentUpToVersion) this.write(subscriber, held.frame);
  }

  /** Writes each event once per matching subscriber. */
  publish(events: readonly PresenceEvent[]): void {
    for (const event of events) {
      const frame = sseFrame("change", JSON.stringify(event), event.Version);
      for (const subscriber of this.subscribers) {
        if (!matches(subscriber.filter, event)) continue;
        if (subscriber.pending) this.hold(subscriber, event.Version, frame);
        else this.write(subscriber, frame);
      }
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
    for (const subscriber of this.subscribers) subscriber.response.end(`retry: ${retryMs}\n\n`);
    this.subscribers.clear();
  }

  private broadcastRaw(text: string): void {
    for (const subscriber of this.subscribers)
      if (!subscriber.pending) this.write(subscriber, text);
  }

  /** Writes to one subscriber, first dropping it if it has fallen too far behind. */
  write(subscriber: Subscriber, text: string): void {
    if (subscriber.response.writableLength > this.options.maxBufferedBytes) this.drop(subscriber);
    else subscriber.response.write(text);
  }

  private drop(subscriber: Subscriber): void {
    this.dropped++;
    this.subscribers.delete(subscriber);
    subscriber.response.destroy();
  }
}
