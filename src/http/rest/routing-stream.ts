/**
 * GET /api/v1/Routing/Stream (extension): routing events as Server-Sent Events, one event per
 * decision, named by its type, with the log id as the SSE id so a client resumes with
 * Last-Event-ID. One of the hub's streams: the same per-user and total limits, keep-alives,
 * and dropping of a reader that falls behind as the presence stream.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  ROUTING_EVENT_TYPES,
  type RoutingEvent,
  routingEventWire,
} from "../../domain/routing-event.ts";
import { type StreamHub, sseFrame, startEventStream } from "../../realtime/stream.ts";
import type { Services } from "../../service/services.ts";
import { INT32, type ObjectSchema } from "../codecs/schema.ts";
import { type RouteSpec, routeGroup } from "../route.ts";
import { lastEventIdOf, query } from "./presence-live.ts";

const route = routeGroup({ tag: "Routing", extension: true });

/** The topic filter of the stream and of the stored event log. */
export const TOPIC_FILTER = query(
  "topicId",
  "Only this topic's events (non-admins: a topic where they listen, respond or manage)",
);

const TIME = { type: "string", description: "ISO 8601 time" } as const;

export const ROUTING_EVENT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "RoutingEvent",
  description: "One routing decision; the SSE event name is its Type",
  properties: {
    Id: { ...INT32, description: "Routing event log id; the SSE event id" },
    Type: { type: "string", enum: [...ROUTING_EVENT_TYPES] },
    TopicId: INT32,
    ChatSessionId: { ...INT32, description: "null for `capacity`" },
    UserId: { ...INT32, description: "The agent concerned; null for `queued`" },
    At: TIME,
    ExpiresAt: { ...TIME, description: "`offered`: when the offer lapses" },
    Position: { ...INT32, description: "`queued`: place in the queue" },
    How: { type: "string", description: "`assigned`: offer, assign or pickup" },
    FromUserId: { ...INT32, description: "`transferred`: the agent it came from" },
    OngoingChats: { ...INT32, description: "`capacity`: the agent's ongoing chats" },
    Limit: { ...INT32, description: "`capacity`: the agent's limit in the topic (0: none)" },
  },
};

const frames = (events: readonly RoutingEvent[]) =>
  events.map((e) => sseFrame(e.type, JSON.stringify(routingEventWire(e)), e.id)).join("");

export function routingStreamRoutes({ routingEvents }: Services, hub: StreamHub): RouteSpec[] {
  async function stream(request: FastifyRequest, reply: FastifyReply) {
    // A topic the caller may not see is refused (403) before the stream is admitted.
    const follow = await routingEvents.follow(request.actor, {
      topicId: request.bound.optionalInt("topicId"),
      lastEventId: lastEventIdOf(request),
    });
    const response = reply.raw;
    let subscriber: ReturnType<StreamHub["add"]>;
    try {
      subscriber = hub.add(response, null, request.actor.userId);
    } catch (error) {
      follow.stop();
      throw error;
    }
    response.once("close", follow.stop);
    reply.hijack();
    startEventStream(response, request.id);
    // Headers out now: with nothing to replay, the first frame may be a keep-alive away.
    response.flushHeaders();
    const { backlog } = follow;
    const first =
      backlog === null
        ? sseFrame(
            "resync",
            JSON.stringify({
              Reason: "Last-Event-ID can no longer be resumed; live events follow",
            }),
          )
        : frames(backlog);
    if (first && !(await hub.send(subscriber, first))) return;
    hub.goLive(subscriber, 0);
    follow.live((events) => {
      if (!hub.push(subscriber, frames(events))) follow.stop();
    });
  }

  return [
    route(
      "GET /api/v1/Routing/Stream",
      "RoutingStream",
      "Server-Sent Events: one event per routing decision (queued, offered, offer_lapsed, declined, assigned, transferred, capacity, left_queue)",
      {
        parameters: [
          TOPIC_FILTER,
          {
            name: "Last-Event-ID",
            in: "header",
            description:
              "Resume after this event id without loss (non-admins within the resume window); otherwise `resync`, then live events",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: {
            description: `An endless text/event-stream; each event's data is a ${ROUTING_EVENT_SCHEMA.title}`,
            schema: ROUTING_EVENT_SCHEMA,
            contentTypes: ["text/event-stream"],
          },
          403: { description: "The caller may not follow the topic asked for" },
          429: { description: "Too many open streams: the caller's own limit or the server's" },
        },
        handler: stream,
      },
    ),
  ];
}
