import type { Services } from "../../service/services.ts";
import {
  memberInput,
  memberInputs,
  readTopicAgent,
  TOPIC_AGENT_LIST,
  TOPIC_AGENT_SCHEMA,
  topicAgentOf,
} from "../carriers/associate.ts";
import {
  carrierResponse,
  pathIntParameter,
  pathTextParameter,
  sendCarrier,
} from "../carriers/render.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import type { RouteSpec } from "../route.ts";

const TAG = "ChatTopic";
const TOPIC_ID = pathIntParameter("chatTopicId", "Id of the chat topic");
const USERNAME = pathTextParameter("username", "Associate username or associate id");
const AGENT = carrierResponse(TOPIC_AGENT_SCHEMA);
const AGENTS = carrierResponse(TOPIC_AGENT_LIST);
const NOT_FOUND = { description: "No such topic, user or membership" };

export function memberRoutes({ topics }: Services): RouteSpec[] {
  const base = "/api/v1/ChatTopic/:chatTopicId/UserAgent";
  return [
    {
      method: "GET",
      url: base,
      operationId: "v1ChatTopicEntity_GetChatTopicUserAgentList",
      summary: "Users assigned to a chat topic (its members and administrators)",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID],
      responses: { 200: AGENTS, 404: NOT_FOUND },
      async handler(request, reply) {
        const members = await topics.members(request.actor, request.bound.int("chatTopicId"));
        return sendCarrier(request, reply, members.map(topicAgentOf), TOPIC_AGENT_LIST);
      },
    },
    {
      method: "PUT",
      url: base,
      operationId: "v1ChatTopicEntity_UpdateChatTopicUserAgents",
      summary:
        "Set the rights of the listed users (added if not members yet; others unchanged); returns all members",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID],
      body: { schema: TOPIC_AGENT_LIST, required: true, contentTypes: BODY_TYPES },
      responses: { 200: AGENTS, 404: NOT_FOUND },
      async handler(request, reply) {
        const inputs = memberInputs(requireBody(request), "");
        const members = await topics.updateMembers(
          request.actor,
          request.bound.int("chatTopicId"),
          inputs,
        );
        return sendCarrier(request, reply, members.map(topicAgentOf), TOPIC_AGENT_LIST);
      },
    },
    {
      method: "POST",
      url: base,
      operationId: "v1ChatTopicEntity_AddChatTopicUserAgent",
      summary: "Add a user to a chat topic (or set their rights if already a member)",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID],
      body: { schema: TOPIC_AGENT_SCHEMA, required: true, contentTypes: BODY_TYPES },
      responses: { 200: AGENT, 404: NOT_FOUND },
      async handler(request, reply) {
        const input = memberInput(readTopicAgent(requireBody(request), ""), "");
        const member = await topics.addMember(
          request.actor,
          request.bound.int("chatTopicId"),
          input,
        );
        return sendCarrier(request, reply, topicAgentOf(member), TOPIC_AGENT_SCHEMA);
      },
    },
    {
      method: "GET",
      url: `${base}/:username`,
      operationId: "v1ChatTopicEntity_GetChatTopicUserAgent",
      summary: "Get a user assigned to a topic",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID, USERNAME],
      responses: { 200: AGENT, 404: NOT_FOUND },
      async handler(request, reply) {
        const id = request.bound.int("chatTopicId");
        const member = await topics.member(request.actor, id, request.bound.segment("username"));
        return sendCarrier(request, reply, topicAgentOf(member), TOPIC_AGENT_SCHEMA);
      },
    },
    {
      method: "PUT",
      url: `${base}/:username`,
      operationId: "v1ChatTopicEntity_UpdateChatTopicUserAgent",
      summary: "Update a member's rights in a chat topic (the user in the body is ignored)",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID, USERNAME],
      body: { schema: TOPIC_AGENT_SCHEMA, required: true, contentTypes: BODY_TYPES },
      responses: { 200: AGENT, 404: NOT_FOUND },
      async handler(request, reply) {
        const { user: _ignored, ...rights } = readTopicAgent(requireBody(request), "");
        const id = request.bound.int("chatTopicId");
        const member = await topics.updateMember(
          request.actor,
          id,
          request.bound.segment("username"),
          rights,
        );
        return sendCarrier(request, reply, topicAgentOf(member), TOPIC_AGENT_SCHEMA);
      },
    },
    {
      method: "DELETE",
      url: `${base}/:username`,
      operationId: "v1ChatTopicEntity_DeleteChatTopicUserAgent",
      summary: "Remove a user from a topic",
      tag: TAG,
      auth: true,
      parameters: [TOPIC_ID, USERNAME],
      responses: { 204: { description: "Removed" }, 404: NOT_FOUND },
      async handler(request, reply) {
        await topics.deleteMember(
          request.actor,
          request.bound.int("chatTopicId"),
          request.bound.segment("username"),
        );
        return reply.code(204).send();
      },
    },
  ];
}
