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
  sendCarrier,
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
import type { RouteSpec } from "../route.ts";
import { ODATA_PARAMETERS, ODATA_RESPONSE, odataSessions } from "./odata.ts";

const TAG = "ChatTopic";
const ID = pathIntParameter("id", "The id of the chat topic");
const TOPIC_ID = pathIntParameter("chatTopicId", "The id of the chat topic");
const entity = (description: string) => carrierResponse(TOPIC_WITH_LINKS, description);
const topicBody = {
  schema: TOPIC_SCHEMA,
  required: true,
  contentTypes: BODY_TYPES,
  description: "The ChatTopicEntity to save; on PUT, properties left out keep their values",
};

export function topicRoutes({ topics, sessions }: Services): RouteSpec[] {
  return [
    {
      method: "GET",
      url: "/api/v1/ChatTopic/default",
      operationId: "v1ChatTopicEntity_DefaultChatTopicEntity",
      summary: "A new ChatTopicEntity with default values (not saved)",
      tag: TAG,
      auth: true,
      responses: { 200: carrierResponse(TOPIC_SCHEMA) },
      handler: async (request, reply) =>
        sendCarrier(request, reply, topicCarrier(topics.defaultTopic()), TOPIC_SCHEMA),
    },
    {
      method: "POST",
      url: "/api/v1/ChatTopic",
      operationId: "v1ChatTopicEntity_PostChatTopicEntity",
      summary: "Creates a new ChatTopicEntity (administrators)",
      tag: TAG,
      auth: true,
      parameters: [SELECT_PARAMETER],
      body: topicBody,
      responses: {
        200: entity("The topic as created"),
        403: { description: "Not an administrator" },
      },
      async handler(request, reply) {
        const raw = requireBody(request);
        const created = await topics.create(request.actor, (defaults) => readTopic(raw, defaults));
        return sendCarrier(request, reply, topicWithLinks(created, request), TOPIC_WITH_LINKS);
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatTopic/:id",
      operationId: "v1ChatTopicEntity_GetChatTopicEntity",
      summary: "Gets a ChatTopicEntity (its members and administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID, SELECT_PARAMETER],
      responses: { 200: entity("ChatTopicEntity found."), 404: { description: "Not Found." } },
      async handler(request, reply) {
        const topic = await topics.get(request.actor, request.bound.int("id"));
        return sendCarrier(request, reply, topicWithLinks(topic, request), TOPIC_WITH_LINKS);
      },
    },
    {
      method: "PUT",
      url: "/api/v1/ChatTopic/:id",
      operationId: "v1ChatTopicEntity_PutChatTopicEntity",
      summary: "Updates the existing ChatTopicEntity (CanManage or administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID, SELECT_PARAMETER],
      body: topicBody,
      responses: {
        200: entity("ChatTopicEntity updated."),
        400: { description: "Bad request. Entity to save is not in request body." },
        404: { description: "Not Found." },
      },
      async handler(request, reply) {
        const id = request.bound.int("id");
        const raw = requireBody(request);
        const updated = await topics.update(request.actor, id, (stored) => readTopic(raw, stored));
        return sendCarrier(request, reply, topicWithLinks(updated, request), TOPIC_WITH_LINKS);
      },
    },
    {
      method: "DELETE",
      url: "/api/v1/ChatTopic/:id",
      operationId: "v1ChatTopicEntity_DeleteChatTopicEntity",
      summary:
        "Deletes the ChatTopicEntity with its members and sessions (CanManage or administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID],
      responses: {
        204: { description: "ChatTopicEntity deleted." },
        404: { description: "Not Found." },
      },
      async handler(request, reply) {
        await topics.delete(request.actor, request.bound.int("id"));
        return reply.code(204).send();
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatTopic/:id/Sessions",
      operationId: "v1ChatTopicEntity_Sessions",
      summary: "OData list of the sessions of a chat topic (its members and administrators)",
      tag: TAG,
      auth: true,
      parameters: [ID, ...ODATA_PARAMETERS],
      responses: {
        200: { description: "OK", schema: ODATA_RESPONSE },
        404: { description: "Not Found." },
      },
      async handler(request) {
        return odataSessions(
          request,
          await sessions.listForTopic(request.actor, request.bound.int("id")),
        );
      },
    },
    {
      method: "POST",
      url: "/api/v1/ChatTopic/:id/Sessions",
      operationId: "v1ChatTopicEntity_CreateChatSessionForTopic",
      summary: "Create a new session on a chat topic; it waits in the queue (InQueue)",
      tag: TAG,
      auth: true,
      parameters: [
        { ...ID, description: "Id of the chat topic (the contract names it chatTopicId)" },
      ],
      responses: {
        200: carrierResponse(SESSION_SCHEMA),
        404: { description: "No such chat topic" },
      },
      async handler(request, reply) {
        const created = await sessions.create({ topicId: request.bound.int("id") });
        return sendCarrier(request, reply, sessionCarrier(created), SESSION_SCHEMA);
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatTopic/:chatTopicId/IsOpen",
      operationId: "v1ChatTopicEntity_IsWithinOpeningHours",
      summary:
        "Whether the topic is within its opening hours right now (its time zone, DST included)",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID],
      responses: {
        200: carrierResponse({ type: "boolean" }, "OK (false for a topic that does not exist)"),
      },
      async handler(request, reply) {
        const open = await topics.isOpen(request.bound.int("chatTopicId"));
        return sendCarrier(request, reply, open, { type: "boolean" });
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatTopic/ForCurrentUser",
      operationId: "v1ChatTopicEntity_ChatTopicsForUser",
      summary: "The chat topics where the caller holds at least one right",
      tag: TAG,
      auth: true,
      responses: { 200: carrierResponse(TOPIC_LIST) },
      async handler(request, reply) {
        const list = await topics.forUser(request.actor);
        return sendCarrier(request, reply, list.map(topicCarrier), TOPIC_LIST);
      },
    },
    {
      method: "GET",
      url: "/api/v1/ChatTopic/UserAgents",
      operationId: "v1ChatTopicEntity_GetUserAgentList",
      summary: "Users that can be assigned to chat topics, flat or grouped (groups are the roles)",
      tag: TAG,
      auth: true,
      parameters: [
        {
          name: "flat",
          in: "query",
          description: "Return a flat list instead of grouping by user group",
          schema: { type: "boolean" },
        },
        {
          name: "onlyPresent",
          in: "query",
          description: "Only users who are present",
          schema: { type: "boolean" },
        },
      ],
      responses: { 200: carrierResponse(MDO_LIST) },
      async handler(request, reply) {
        const users = await topics.userAgents(request.bound.bool("onlyPresent"));
        return sendCarrier(
          request,
          reply,
          userAgentList(users, request.bound.bool("flat")),
          MDO_LIST,
        );
      },
    },
  ];
}
