import type { FastifyRequest } from "fastify";
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
  sendsCarrier,
} from "../carriers/render.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import { noContent, type RouteSpec } from "../route.ts";
import { chatTopicRoute as route } from "./groups.ts";

const TOPIC_ID = pathIntParameter("chatTopicId", "Id of the chat topic");
const USERNAME = pathTextParameter("username", "Associate username or associate id");
const AGENT = carrierResponse(TOPIC_AGENT_SCHEMA);
const AGENTS = carrierResponse(TOPIC_AGENT_LIST);
const NOT_FOUND = { description: "No such topic, user or membership" };

export function memberRoutes({ topics }: Services): RouteSpec[] {
  const base = "/api/v1/ChatTopic/:chatTopicId/UserAgent";
  const topicOf = (request: FastifyRequest) => request.bound.int("chatTopicId");
  const userOf = (request: FastifyRequest) => request.bound.segment("username");
  return [
    route(
      `GET ${base}`,
      "GetChatTopicUserAgentList",
      "Users assigned to a chat topic (its members and administrators)",
      {
        parameters: [TOPIC_ID],
        responses: { 200: AGENTS, 404: NOT_FOUND },
        handler: sendsCarrier(TOPIC_AGENT_LIST, async (request) =>
          (await topics.members(request.actor, topicOf(request))).map(topicAgentOf),
        ),
      },
    ),
    route(
      `PUT ${base}`,
      "UpdateChatTopicUserAgents",
      "Set the rights of the listed users (added if not members yet; others unchanged); returns all members",
      {
        parameters: [TOPIC_ID],
        body: { schema: TOPIC_AGENT_LIST, required: true, contentTypes: BODY_TYPES },
        responses: { 200: AGENTS, 404: NOT_FOUND },
        handler: sendsCarrier(TOPIC_AGENT_LIST, async (request) => {
          const inputs = memberInputs(requireBody(request), "");
          return (await topics.updateMembers(request.actor, topicOf(request), inputs)).map(
            topicAgentOf,
          );
        }),
      },
    ),
    route(
      `POST ${base}`,
      "AddChatTopicUserAgent",
      "Add a user to a chat topic (or set their rights if already a member)",
      {
        parameters: [TOPIC_ID],
        body: { schema: TOPIC_AGENT_SCHEMA, required: true, contentTypes: BODY_TYPES },
        responses: { 200: AGENT, 404: NOT_FOUND },
        handler: sendsCarrier(TOPIC_AGENT_SCHEMA, async (request) => {
          const input = memberInput(readTopicAgent(requireBody(request), ""), "");
          return topicAgentOf(await topics.addMember(request.actor, topicOf(request), input));
        }),
      },
    ),
    route(`GET ${base}/:username`, "GetChatTopicUserAgent", "Get a user assigned to a topic", {
      parameters: [TOPIC_ID, USERNAME],
      responses: { 200: AGENT, 404: NOT_FOUND },
      handler: sendsCarrier(TOPIC_AGENT_SCHEMA, async (request) =>
        topicAgentOf(await topics.member(request.actor, topicOf(request), userOf(request))),
      ),
    }),
    route(
      `PUT ${base}/:username`,
      "UpdateChatTopicUserAgent",
      "Update a member's rights in a chat topic (the user in the body is ignored)",
      {
        parameters: [TOPIC_ID, USERNAME],
        body: { schema: TOPIC_AGENT_SCHEMA, required: true, contentTypes: BODY_TYPES },
        responses: { 200: AGENT, 404: NOT_FOUND },
        handler: sendsCarrier(TOPIC_AGENT_SCHEMA, async (request) => {
          const { user: _ignored, ...rights } = readTopicAgent(requireBody(request), "");
          const id = topicOf(request);
          return topicAgentOf(
            await topics.updateMember(request.actor, id, userOf(request), rights),
          );
        }),
      },
    ),
    route(`DELETE ${base}/:username`, "DeleteChatTopicUserAgent", "Remove a user from a topic", {
      parameters: [TOPIC_ID, USERNAME],
      responses: { 204: { description: "Removed" }, 404: NOT_FOUND },
      handler: noContent((request) =>
        topics.deleteMember(request.actor, topicOf(request), userOf(request)),
      ),
    }),
  ];
}
