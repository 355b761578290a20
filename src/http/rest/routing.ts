/**
 * Routing (extensions beyond SuperOffice): a topic's routing settings, and the caller's open
 * offers with Accept and Decline. An accepted offer answers with the session, as a pick-up does.
 */
import { ROUTING_MODES, ROUTING_ORDERS, type RoutingOffer } from "../../domain/routing.ts";
import type { TopicRoutingView } from "../../service/routing.ts";
import type { Services } from "../../service/services.ts";
import { pathIntParameter, sendsCarrier } from "../carriers/render.ts";
import { SESSION_WITH_LINKS, sessionWithLinks } from "../carriers/session.ts";
import { BODY_TYPES, bindOrThrow, requireBody } from "../codecs/body.ts";
import { INT32, type ObjectSchema, propertyOf } from "../codecs/schema.ts";
import { noContent, type RouteSpec, routeGroup } from "../route.ts";

const route = routeGroup({ tag: "Routing", extension: true });
const TOPIC_ID = pathIntParameter("id", "The id of the chat topic");
const SESSION_ID = pathIntParameter("chatSessionId", "The id of the chat session offered");
const TEXT = { type: "string" } as const;

const ROUTING_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatTopicRouting",
  description:
    "How the topic hands queued sessions to agents; on PUT, fields left out keep their values",
  properties: {
    Mode: {
      ...TEXT,
      enum: ROUTING_MODES,
      description: `${ROUTING_MODES.join(", ")} (default Pull: agents pick up)`,
    },
    OfferSeconds: {
      ...INT32,
      description: "How long an offer stays open, 1 to 86,400 (default 30)",
    },
    MaxChatsPerAgent: {
      ...INT32,
      description: "Most ongoing chats per agent in the topic; 0: no limit",
    },
    Order: {
      ...TEXT,
      description: `${ROUTING_ORDERS.join(" or ")}: which available agent comes next`,
    },
    MissedOffersBeforeAway: {
      ...INT32,
      description:
        "Consecutive lapsed offers after which the agent is set absent (Source routing); 0: never",
    },
  },
};

const OFFER_SCHEMA: ObjectSchema = {
  type: "object",
  title: "RoutingOffer",
  properties: {
    ChatSessionId: INT32,
    TopicId: INT32,
    OfferedAt: { ...TEXT, description: "ISO 8601 time" },
    ExpiresAt: { ...TEXT, description: "ISO 8601 time the offer lapses unless answered" },
  },
};

function routingJson({ settings, maxChatsPerAgent }: TopicRoutingView) {
  return {
    Mode: settings.mode,
    OfferSeconds: settings.offerSeconds,
    MaxChatsPerAgent: maxChatsPerAgent,
    Order: settings.order,
    MissedOffersBeforeAway: settings.missedOffersBeforeAway,
  };
}

function offerJson(offer: RoutingOffer) {
  return {
    ChatSessionId: offer.chatSessionId,
    TopicId: offer.topicId,
    OfferedAt: new Date(offer.offeredAt).toISOString(),
    ExpiresAt: new Date(offer.expiresAt).toISOString(),
  };
}

/** The fields the body gives, typed by the schema; those it leaves out stay undefined. */
function givenFields(raw: unknown): Record<string, unknown> {
  const bound = bindOrThrow(raw, ROUTING_SCHEMA) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(ROUTING_SCHEMA.properties).map((name) => [
      name,
      propertyOf(raw, name) === undefined ? undefined : bound[name],
    ]),
  );
}

export function routingRoutes({ routing }: Services): RouteSpec[] {
  const manage = { 403: { description: "Neither CanManage in the topic nor an administrator" } };
  const noTopic = { 404: { description: "There is no chat topic with this id" } };
  const noOffer = {
    409: {
      description:
        "No open offer of this session to the caller (withdrawn, lapsed or answered: PRES_ERR_NO_OFFER), or the caller is at a chat limit (PRES_ERR_AT_CAPACITY)",
    },
  };
  return [
    route(
      "GET /api/v1/ChatTopic/:id/Routing",
      "ChatTopicRoutingGet",
      "The topic's routing: mode, offer time, limit per agent, order, missed offers before Away",
      {
        parameters: [TOPIC_ID],
        responses: {
          200: { description: "The routing", schema: ROUTING_SCHEMA },
          ...manage,
          ...noTopic,
        },
        async handler(request) {
          return routingJson(await routing.settings(request.actor, request.bound.int("id")));
        },
      },
    ),
    route(
      "PUT /api/v1/ChatTopic/:id/Routing",
      "ChatTopicRoutingPut",
      "Sets the topic's routing (fields left out keep their values) and routes its queue by it",
      {
        parameters: [TOPIC_ID],
        body: { schema: ROUTING_SCHEMA, required: true, contentTypes: BODY_TYPES },
        responses: {
          200: { description: "The routing as stored", schema: ROUTING_SCHEMA },
          400: { description: "A field is not valid (PRES_ERR_BAD_BODY names it)" },
          ...manage,
          ...noTopic,
        },
        async handler(request) {
          const input = givenFields(requireBody(request));
          return routingJson(
            await routing.setSettings(request.actor, request.bound.int("id"), input),
          );
        },
      },
    ),
    route(
      "GET /api/v1/Routing/Offers",
      "RoutingOffers",
      "The caller's open offers of queued sessions, oldest first",
      {
        responses: {
          200: { description: "Open offers", schema: { type: "array", items: OFFER_SCHEMA } },
        },
        async handler(request) {
          return (await routing.offers(request.actor)).map(offerJson);
        },
      },
    ),
    route(
      "POST /api/v1/Routing/Offers/:chatSessionId/Accept",
      "RoutingOfferAccept",
      "Accepts an offer: the session becomes the caller's chat (UserLast, WhenStarted set)",
      {
        parameters: [SESSION_ID],
        responses: {
          200: { description: "The session, now the caller's", schema: SESSION_WITH_LINKS },
          ...noOffer,
        },
        handler: sendsCarrier(SESSION_WITH_LINKS, async (request) =>
          sessionWithLinks(
            await routing.accept(request.actor, request.bound.int("chatSessionId")),
            request,
          ),
        ),
      },
    ),
    route(
      "POST /api/v1/Routing/Offers/:chatSessionId/Decline",
      "RoutingOfferDecline",
      "Declines an offer: the session is offered to the next available agent",
      {
        parameters: [SESSION_ID],
        responses: { 204: { description: "Declined" }, ...noOffer },
        handler: noContent((request) =>
          routing.decline(request.actor, request.bound.int("chatSessionId")),
        ),
      },
    ),
  ];
}
