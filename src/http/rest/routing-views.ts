/**
 * What the dashboard reads about routing (extensions): the caller's load against their chat
 * limits, and the routing event log over a time span, from which a topic's queue length over
 * the last hours is drawn. Events are those /Routing/Stream carries, in the same shape.
 */
import type { LoadSummary } from "../../domain/capacity.ts";
import { routingEventWire } from "../../domain/routing-event.ts";
import type { Services } from "../../service/services.ts";
import { INT32, type ObjectSchema } from "../codecs/schema.ts";
import { type RouteSpec, routeGroup } from "../route.ts";
import { query, timeParam } from "./presence-live.ts";
import { ROUTING_EVENT_SCHEMA, TOPIC_FILTER } from "./routing-stream.ts";

const route = routeGroup({ tag: "Routing", extension: true });

const LIMIT = { ...INT32, description: "0: no limit" };

const LOAD_SCHEMA: ObjectSchema = {
  type: "object",
  title: "AgentLoad",
  description: "The caller's ongoing chats against their chat limits",
  properties: {
    UserId: INT32,
    OngoingChats: INT32,
    MaxChats: { ...LIMIT, description: "The caller's own limit over all topics; 0: none" },
    Limit: {
      ...LIMIT,
      description:
        "The most ongoing chats the caller may reach: the largest binding limit over their topics; 0: no limit",
    },
    Topics: {
      type: "array",
      description: "Each topic where the caller may respond, with the limit that binds there",
      items: { type: "object", properties: { TopicId: INT32, Limit: LIMIT } },
    },
  },
};

function loadJson(load: LoadSummary) {
  return {
    UserId: load.userId,
    OngoingChats: load.ongoingChats,
    MaxChats: load.maxChats,
    Limit: load.limit,
    Topics: load.topics.map((topic) => ({ TopicId: topic.topicId, Limit: topic.limit })),
  };
}

export function routingViewRoutes({ agentLoad, routingEvents }: Services): RouteSpec[] {
  return [
    route(
      "GET /api/v1/Routing/Load",
      "RoutingLoad",
      'The caller\'s ongoing chats and chat limits ("2 / 3 chats")',
      {
        responses: { 200: { description: "The caller's load", schema: LOAD_SCHEMA } },
        handler: async (request) => loadJson(await agentLoad.of(request.actor)),
      },
    ),
    route(
      "GET /api/v1/Routing/Events",
      "RoutingEvents",
      "Stored routing events, oldest first, of the topics the caller may follow; page with afterId",
      {
        parameters: [
          TOPIC_FILTER,
          query("since", "From this time (ISO 8601 or epoch ms), inclusive", { type: "string" }),
          query("afterId", "Only events with a larger id (the last id of the page before)"),
          query("limit", "At most this many events (default 1000, max 10000)"),
        ],
        responses: {
          200: {
            description: "Routing events",
            schema: { type: "array", items: ROUTING_EVENT_SCHEMA },
          },
          403: { description: "The caller may not follow the topic asked for" },
        },
        async handler(request) {
          const events = await routingEvents.read(request.actor, {
            topicId: request.bound.optionalInt("topicId"),
            since: timeParam(request, "since"),
            afterId: request.bound.optionalInt("afterId"),
            limit: request.bound.optionalInt("limit"),
          });
          return events.map(routingEventWire);
        },
      },
    ),
  ];
}
