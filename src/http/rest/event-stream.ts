/** How an SSE route hands its answer to the stream hub, the same for every stream. */
import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StreamFilter } from "../../domain/stream-filter.ts";
import { type StreamHub, type Subscriber, startEventStream } from "../../realtime/stream.ts";

/**
 * Admits the stream (or refuses it with 429 before anything is sent), begins the SSE answer and
 * runs `feed`. The answer has begun by then, so no error body can follow a failing feed: the
 * stream is ended (the client reconnects) rather than left open and never live.
 */
export async function serveEventStream(
  hub: StreamHub,
  request: FastifyRequest,
  reply: FastifyReply,
  filter: StreamFilter | null,
  name: string,
  feed: (subscriber: Subscriber, response: ServerResponse) => Promise<void>,
): Promise<void> {
  const response = reply.raw;
  const subscriber = hub.add(response, filter, request.actor.userId);
  reply.hijack();
  startEventStream(response, request.id);
  try {
    await feed(subscriber, response);
  } catch (error) {
    request.log.error({ err: error }, `${name} could not start`);
    response.destroy();
  }
}
