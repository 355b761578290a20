/** Recording routing events on a test server and reading its routing stream, for the tests. */
import type { RoutingEventInput } from "../../src/domain/routing-event.ts";
import type { TestServer } from "./server.ts";
import { openStream, type SseEvent, type SseStream } from "./sse-client.ts";

export const ROUTING_STREAM = "/api/v1/Routing/Stream";

export function offer(topicId: number, chatSessionId: number, userId = 883, at = Date.now()) {
  return {
    type: "offered",
    topicId,
    chatSessionId,
    userId,
    at,
    detail: { expiresAt: at + 30_000 },
  } satisfies RoutingEventInput;
}

export function record(server: TestServer, events: RoutingEventInput[]): Promise<void> {
  return server.services.routingEvents.record(events);
}

export function routingStream(
  server: TestServer,
  headers: Record<string, string>,
  query = "",
): Promise<SseStream> {
  return openStream(`${server.url}${ROUTING_STREAM}${query}`, headers);
}

/** The stream is live once an event recorded now reaches it: records probes until one does. */
export async function untilLive(server: TestServer, stream: SseStream, topicId = 574) {
  for (let probe = 1; ; probe++) {
    await record(server, [offer(topicId, 9000 + probe)]);
    try {
      const event = await stream.next(1000);
      return event;
    } catch (error) {
      if (probe >= 10) throw error;
    }
  }
}

/** Reads events until `done` holds for what was read, or `timeoutMs` passes; returns them all. */
export async function readUntil(
  stream: SseStream,
  done: (events: SseEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(events) && Date.now() < deadline) {
    try {
      events.push(await stream.next(Math.max(1, deadline - Date.now())));
    } catch {
      break;
    }
  }
  return events;
}

export const sessionOf = (event: SseEvent): number => JSON.parse(event.data).ChatSessionId;
