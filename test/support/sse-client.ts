/** A minimal SSE reader over fetch, for tests and benchmarks. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseStream {
  /** The next event (comments skipped); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>;
  close(): void;
  status: number;
  /** True once the server ended or cut the stream. */
  readonly ended: boolean;
}

/**
 * `readAfterMs` leaves the body unread that long after the headers, as a slow client would:
 * the server meets back-pressure while it writes the snapshot or the replay.
 */
export async function openStream(
  url: string,
  headers: Record<string, string>,
  { readAfterMs = 0 } = {},
): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  const queue: SseEvent[] = [];
  const waiters: ((event: SseEvent) => void)[] = [];
  let buffer = "";
  const deliver = (event: SseEvent) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else queue.push(event);
  };
  const pump = async () => {
    const decoder = new TextDecoder();
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const event: SseEvent = { event: "message", data: "" };
        let sawField = false;
        for (const line of block.split("\n")) {
          if (line.startsWith(":") || line === "") continue;
          const colon = line.indexOf(":");
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event.event = value;
          else if (field === "id") event.id = value;
          else if (field === "data") event.data += value;
          else continue;
          sawField = true;
        }
        if (sawField) deliver(event);
      }
    }
  };
  const ended = { value: false };
  const start = () =>
    pump()
      .catch(() => undefined)
      .finally(() => {
        ended.value = true;
      });
  if (readAfterMs > 0) setTimeout(start, readAfterMs);
  else start();
  return {
    status: response.status,
    get ended() {
      return ended.value;
    },
    next(timeoutMs = 3000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no SSE event within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push((event) => {
          clearTimeout(timer);
          resolve(event);
        });
      });
    },
    close: () => controller.abort(),
  };
}
