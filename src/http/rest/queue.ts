/**
 * The queue (extensions beyond SuperOffice): a topic's waiting sessions with their places and
 * expected waits, for its members; and the availability a chat widget asks before it offers a
 * chat, for any signed-in caller or registered application, or anyone with public availability.
 */
import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { QueuePlace, TopicAvailability } from "../../service/queue.ts";
import type { Services } from "../../service/services.ts";
import { authenticator, header } from "../auth/authenticate.ts";
import { readCookie, SESSION_COOKIE } from "../auth/cookies.ts";
import { ASSOCIATE_SCHEMA, associateOf } from "../carriers/associate.ts";
import { pathIntParameter } from "../carriers/render.ts";
import { INT32, type ObjectSchema } from "../codecs/schema.ts";
import { type ParameterSpec, type RouteSpec, routeGroup } from "../route.ts";

/** How long a widget (or a cache between) may reuse an availability answer, seconds. */
const route = routeGroup({ tag: "Routing", extension: true });
const publicRoute = routeGroup({ tag: "Routing", auth: false, extension: true });

export const AVAILABILITY_MAX_AGE = 5;

const TEXT = { type: "string" } as const;
const BOOL = { type: "boolean" } as const;
const int = (description: string) => ({ ...INT32, description });

const PLACE_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatQueuePlace",
  properties: {
    ChatSessionId: INT32,
    Position: int("Place in the queue in routing order; 1 is next"),
    WaitingSeconds: int("Seconds since WhenRequested"),
    EstimatedWaitSeconds: int(
      "Expected seconds until an agent takes it (see the README); null when nobody is present or nothing is measured yet",
    ),
    OfferedTo: {
      ...ASSOCIATE_SCHEMA,
      description: "The agent the session is offered to now; null when it is not offered",
    },
    WhenRequested: { ...TEXT, format: "date-time", description: "When the customer asked" },
  },
};

const AVAILABILITY_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatAvailability",
  description: "Aggregates only: whether to offer a chat or the offline form",
  properties: {
    TopicId: INT32,
    Open: { ...BOOL, description: "Within the topic's opening hours (as IsWithinOpeningHours)" },
    AgentsPresent: int("Agents present with CanRespond in the topic"),
    AgentsAvailable: int("Of those, agents routing could give a chat now"),
    QueueLength: int("Sessions waiting in the topic"),
    EstimatedWaitSeconds: int("Expected wait of a customer joining now; null when unknown"),
    ShowOfflineForm: {
      ...BOOL,
      description:
        "Closed, nobody present, or (UseQueueOfflineForm) the queue at OfflineFormQueueLength or the wait at OfflineFormTimeLimit minutes",
    },
  },
};

const TOPIC_QUERY: ParameterSpec = {
  name: "topicId",
  in: "query",
  description: "The chat topic a widget offers chats in",
  schema: INT32,
  required: true,
  style: "plain",
  minimum: 0,
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function placeJson(place: QueuePlace) {
  return {
    ChatSessionId: place.chatSessionId,
    Position: place.position,
    WaitingSeconds: place.waitingSeconds,
    EstimatedWaitSeconds: place.estimatedWaitSeconds,
    OfferedTo: associateOf(place.offeredTo),
    WhenRequested: iso(place.whenRequested),
  };
}

function availabilityJson(a: TopicAvailability) {
  return {
    TopicId: a.topicId,
    Open: a.open,
    AgentsPresent: a.agentsPresent,
    AgentsAvailable: a.agentsAvailable,
    QueueLength: a.queueLength,
    EstimatedWaitSeconds: a.estimatedWaitSeconds,
    ShowOfflineForm: a.showOfflineForm,
  };
}

export interface QueueRouteOptions {
  /** Availability answers anonymous callers too (`--public-availability`). */
  publicAvailability?: boolean;
}

export function queueRoutes(services: Services, options: QueueRouteOptions = {}): RouteSpec[] {
  const { queue, auth } = services;
  const authenticate = authenticator(auth);
  const isPublic = options.publicAvailability ?? false;

  /** A signed-in caller, or a registered application token on its own; anyone when public. */
  async function mayAskAvailability(request: FastifyRequest): Promise<void> {
    if (isPublic) return;
    const credentials =
      header(request, "authorization") !== undefined || readCookie(request, SESSION_COOKIE);
    const appToken = header(request, "so-apptoken");
    if (!credentials && appToken !== undefined) return auth.requireAppToken(appToken);
    await authenticate(request);
  }

  return [
    route(
      "GET /api/v1/ChatTopic/:id/Queue",
      "ChatTopicQueue",
      "The topic's waiting sessions in routing order: place, wait so far, expected wait, offer",
      {
        parameters: [pathIntParameter("id", "The id of the chat topic")],
        responses: {
          200: { description: "The queue", schema: { type: "array", items: PLACE_SCHEMA } },
          403: { description: "Not a member of the topic with any right, nor an administrator" },
          404: { description: "There is no chat topic with this id" },
        },
        async handler(request) {
          const places = await queue.queue(request.actor, request.bound.int("id"));
          return places.map(placeJson);
        },
      },
    ),
    publicRoute(
      "GET /api/v1/Availability",
      "Availability",
      `Whether a chat widget should offer a chat or the offline form (aggregates only; cached ${AVAILABILITY_MAX_AGE} s)`,
      {
        parameters: [TOPIC_QUERY],
        responses: {
          200: { description: "The topic's availability", schema: AVAILABILITY_SCHEMA },
          304: { description: "Not modified since the ETag sent in If-None-Match" },
          400: { description: "topicId is missing or not a whole number" },
          401: {
            description:
              "Neither signed in nor a registered SO-AppToken (unless availability is public)",
          },
          404: { description: "There is no chat topic with this id" },
        },
        async handler(request, reply) {
          await mayAskAvailability(request);
          const body = JSON.stringify(
            availabilityJson(await queue.availability(request.bound.int("topicId"))),
          );
          const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
          const scope = isPublic ? "public" : "private";
          reply
            .header("etag", etag)
            .header("cache-control", `${scope}, max-age=${AVAILABILITY_MAX_AGE}`);
          if (request.headers["if-none-match"] === etag) return reply.code(304).send();
          return reply.type("application/json; charset=utf-8").send(body);
        },
      },
    ),
  ];
}
