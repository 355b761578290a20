/**
 * GET /api/v1/ChatSession/{chatSessionId}/Stream (extension): a session's messages as
 * Server-Sent Events, so a dashboard or widget follows a conversation live. It is one of the
 * hub's streams: counted in the same per-user and total limits, sent the same keep-alives,
 * dropped the same way when its reader falls behind, ended the same way on shutdown.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ChatMessageRecord } from "../../domain/message.ts";
import { type StreamHub, type Subscriber, sseFrame } from "../../realtime/stream.ts";
import type { Services } from "../../service/services.ts";
import { MESSAGE_SCHEMA, messageCarrier } from "../carriers/message.ts";
import { pathIntParameter } from "../carriers/render.ts";
import { type RouteSpec, routeGroup } from "../route.ts";
import { serveEventStream } from "./event-stream.ts";
import { lastEventIdOf } from "./presence-live.ts";

const messageFrame = (message: ChatMessageRecord) =>
  sseFrame("message", JSON.stringify(messageCarrier(message)), message.id);

const route = routeGroup({ tag: "ChatSession", extension: true });

export function sessionStreamRoutes({ messages }: Services, hub: StreamHub): RouteSpec[] {
  /**
   * Writes what is stored after `after` page by page, each once the socket drained the one
   * before (a long conversation does not count against the live buffer); returns the last
   * id sent, or null once the stream closed.
   */
  async function sendStored(
    request: FastifyRequest,
    subscriber: Subscriber,
    sessionId: number,
    from: number,
    first: ChatMessageRecord[],
  ): Promise<number | null> {
    let page = first;
    let last = from;
    while (page.length > 0) {
      if (!(await hub.send(subscriber, page.map(messageFrame).join("")))) return null;
      last = page[page.length - 1].id;
      if (page.length < messages.limits.pageSize) break;
      page = await messages.list(request.actor, sessionId, last);
    }
    return last;
  }

  async function stream(request: FastifyRequest, reply: FastifyReply) {
    const sessionId = request.bound.int("chatSessionId");
    const resumeFrom = lastEventIdOf(request) ?? request.bound.optionalInt("after") ?? 0;
    // Rights and a missing session are answered (403, 404) before the stream is admitted.
    const first = await messages.list(request.actor, sessionId, resumeFrom);
    await serveEventStream(
      hub,
      request,
      reply,
      null,
      "session stream",
      async (subscriber, response) => {
        const last = await sendStored(request, subscriber, sessionId, resumeFrom, first);
        if (last === null) return;
        hub.goLive(subscriber, 0);
        let gone = false;
        // From the last id sent: whatever was posted meanwhile comes first, then each new one.
        const stop = await messages.follow(request.actor, sessionId, last, (message) => {
          if (!gone && !hub.push(subscriber, messageFrame(message))) gone = true;
        });
        if (gone || response.destroyed || response.writableEnded) stop();
        else response.once("close", stop);
      },
    );
  }

  return [
    route(
      "GET /api/v1/ChatSession/:chatSessionId/Stream",
      "ChatSessionStream",
      "Server-Sent Events: one `message` event (a ChatMessage, id ChatMessageId) per message of the session, stored ones first",
      {
        parameters: [
          pathIntParameter("chatSessionId", "The id of the chat session"),
          {
            name: "after",
            in: "query",
            description: "Start after this message id (default 0: the whole conversation)",
            schema: { type: "integer", format: "int32" },
            style: "plain",
            minimum: 0,
          },
          {
            name: "Last-Event-ID",
            in: "header",
            description:
              "Resume after this message id (overrides `after`): nothing is missed or repeated",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: {
            description: `An endless text/event-stream of \`message\` events, each a ${MESSAGE_SCHEMA.title}`,
          },
          403: { description: "The caller may not read the session" },
          404: { description: "No such chat session" },
          429: { description: "Too many open streams: the caller's own limit or the server's" },
        },
        handler: stream,
      },
    ),
  ];
}
