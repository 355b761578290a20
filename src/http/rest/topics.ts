/**
 * REST /api/v1/ChatTopic: the topic entity, the caller's topics, the user picker list,
 * opening hours and the topic's sessions. Members are in member-routes.ts.
 */
import type { Services } from "../../service/services.ts";
import { MDO_LIST, userAgentList } from "../carriers/associate.ts";
import {
  carrierResponse,
  pathIntParameter,
  SELECT_PARAMETER,
  sendsCarrier,
} from "../carriers/render.ts";
import { SESSION_SCHEMA, sessionCarrier } from "../carriers/session.ts";
import {
  readTopic,
  TOPIC_LIST,
  TOPIC_SCHEMA,
  TOPIC_WITH_LINKS,
  topicCarrier,
  topicWithLinks,
} from "../carriers/topic.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import { noContent, type ParameterSpec, type RouteSpec } from "../route.ts";
import { chatTopicRoute as route } from "./groups.ts";
import { ODATA_PARAMETERS, ODATA_RESPONSE, odataSessions } from "./odata.ts";

const ID = pathIntParameter("id", "The id of the chat topic");
const TOPIC_ID = pathIntParameter("chatTopicId", "The id of the chat topic");
const entity = (description: string) => carrierResponse(TOPIC_WITH_LINKS, description);
const NOT_FOUND = { description: "Not Found." };
const BOOLEAN = { type: "boolean" } as const;
const topicBody = {
  schema: TOPIC_SCHEMA,
  required: true,
  contentTypes: BODY_TYPES,
  description: "The ChatTopicEntity to save; on PUT, properties left out keep their values",
};

export function topicRoutes({ topics, sessions }: Services): RouteSpec[] {
  return [
    route(
      "GET /api/v1/ChatTopic/default",
      "DefaultChatTopicEntity",
      "A new ChatTopicEntity with default values (not saved)",
      {
        responses: { 200: carrierResponse(TOPIC_SCHEMA) },
        handler: sendsCarrier(TOPIC_SCHEMA, async () => topicCarrier(topics.defaultTopic())),
      },
    ),
    route(
      "POST /api/v1/ChatTopic",
      "PostChatTopicEntity",
      "Creates a new ChatTopicEntity (administrators)",
      {
        parameters: [SELECT_PARAMETER],
        body: topicBody,
        responses: {
          200: entity("The topic as created"),
          403: { description: "Not an administrator" },
        },
        handler: sendsCarrier(TOPIC_WITH_LINKS, async (request) => {
          const raw = requireBody(request);
          const created = await topics.create(request.actor, (defaults) =>
            readTopic(raw, defaults),
          );
          return topicWithLinks(created, request);
        }),
      },
    ),
    route(
      "GET /api/v1/ChatTopic/:id",
      "GetChatTopicEntity",
      "Gets a ChatTopicEntity (its members and administrators)",
      {
        parameters: [ID, SELECT_PARAMETER],
        responses: { 200: entity("ChatTopicEntity found."), 404: NOT_FOUND },
        handler: sendsCarrier(TOPIC_WITH_LINKS, async (request) =>
          topicWithLinks(await topics.get(request.actor, request.bound.int("id")), request),
        ),
      },
    ),
    route(
      "PUT /api/v1/ChatTopic/:id",
      "PutChatTopicEntity",
      "Updates the existing ChatTopicEntity (CanManage or administrators)",
      {
        parameters: [ID, SELECT_PARAMETER],
        body: topicBody,
        responses: {
          200: entity("ChatTopicEntity updated."),
          400: { description: "Bad request. Entity to save is not in request body." },
          404: NOT_FOUND,
        },
        handler: sendsCarrier(TOPIC_WITH_LINKS, async (request) => {
          const id = request.bound.int("id");
          const raw = requireBody(request);
          const updated = await topics.update(request.actor, id, (stored) =>
            readTopic(raw, stored),
          );
          return topicWithLinks(updated, request);
        }),
      },
    ),
    route(
      "DELETE /api/v1/ChatTopic/:id",
      "DeleteChatTopicEntity",
      "Deletes the ChatTopicEntity with its members and sessions (CanManage or administrators)",
      {
        parameters: [ID],
        responses: { 204: { description: "ChatTopicEntity deleted." }, 404: NOT_FOUND },
        handler: noContent((request) => topics.delete(request.actor, request.bound.int("id"))),
      },
    ),
    route(
      "GET /api/v1/ChatTopic/:id/Sessions",
      "Sessions",
      "OData list of the sessions of a chat topic (its members and administrators)",
      {
        parameters: [ID, ...ODATA_PARAMETERS],
        responses: { 200: { description: "OK", schema: ODATA_RESPONSE }, 404: NOT_FOUND },
        handler: async (request) =>
          odataSessions(
            request,
            await sessions.listForTopic(request.actor, request.bound.int("id")),
          ),
      },
    ),
    route(
      "POST /api/v1/ChatTopic/:id/Sessions",
      "CreateChatSessionForTopic",
      "Create a new session on a chat topic; it waits in the queue (InQueue)",
      {
        parameters: [
          { ...ID, description: "Id of the chat topic (the contract names it chatTopicId)" },
        ],
        responses: {
          200: carrierResponse(SESSION_SCHEMA),
          404: { description: "No such chat topic" },
        },
        handler: sendsCarrier(SESSION_SCHEMA, async (request) =>
          sessionCarrier(await sessions.create({ topicId: request.bound.int("id") })),
        ),
      },
    ),
    route(
      "GET /api/v1/ChatTopic/:chatTopicId/IsOpen",
      "IsWithinOpeningHours",
      "Whether the topic is within its opening hours right now (its time zone, DST included)",
      {
        parameters: [TOPIC_ID],
        responses: { 200: carrierResponse(BOOLEAN, "OK (false for a topic that does not exist)") },
        handler: sendsCarrier(BOOLEAN, (request) =>
          topics.isOpen(request.bound.int("chatTopicId")),
        ),
      },
    ),
    route(
      "GET /api/v1/ChatTopic/ForCurrentUser",
      "ChatTopicsForUser",
      "The chat topics where the caller holds at least one right",
      {
        responses: { 200: carrierResponse(TOPIC_LIST) },
        handler: sendsCarrier(TOPIC_LIST, async (request) =>
          (await topics.forUser(request.actor)).map(topicCarrier),
        ),
      },
    ),
    route(
      "GET /api/v1/ChatTopic/UserAgents",
      "GetUserAgentList",
      "Users that can be assigned to chat topics, flat or grouped (groups are the roles)",
      {
        parameters: [
          booleanQuery("flat", "Return a flat list instead of grouping by user group"),
          booleanQuery("onlyPresent", "Only users who are present"),
        ],
        responses: { 200: carrierResponse(MDO_LIST) },
        handler: sendsCarrier(MDO_LIST, async (request) =>
          userAgentList(
            await topics.userAgents(request.bound.bool("onlyPresent")),
            request.bound.bool("flat"),
          ),
        ),
      },
    ),
  ];
}

function booleanQuery(name: string, description: string): ParameterSpec {
  return { name, in: "query", description, schema: { type: "boolean" } };
}
