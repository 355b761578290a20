/** Agents/Chat operations on topics, their members, the user list and opening hours. */
import type { Services } from "../../service/services.ts";
import {
  defaultTopicAgent,
  MDO_LIST,
  memberInput,
  memberInputs,
  readTopicAgent,
  TOPIC_AGENT_LIST,
  TOPIC_AGENT_SCHEMA,
  topicAgentOf,
  userAgentList,
} from "../carriers/associate.ts";
import { readTopic, TOPIC_LIST, TOPIC_SCHEMA, topicCarrier } from "../carriers/topic.ts";
import { requireBody } from "../codecs/body.ts";
import { INT32, propertyOf } from "../codecs/schema.ts";
import { agentsRoute, bool, int, requestSchema, text } from "./binding.ts";

const TOPIC_ID = { ChatTopicId: int("The chat topic") };
const USERNAME = { Username: text("Associate username or associate id") };
const ENTITY_ID = (name: string) => [
  {
    name,
    in: "query" as const,
    description: "The id of the ChatTopicEntity",
    schema: INT32,
    required: true,
  },
];

interface TopicArgs {
  ChatTopicId: number;
  Username: string | null;
}

export function agentsTopicRoutes({ topics }: Services): RouteSpecs {
  return [
    agentsRoute({
      name: "GetChatTopicEntity",
      summary: "Gets a ChatTopicEntity (null when there is none)",
      query: ENTITY_ID("chatTopicEntityId"),
      response: TOPIC_SCHEMA,
      run: async (request) =>
        topicCarrier(await topics.get(request.actor, request.bound.int("chatTopicEntityId"))),
    }),
    agentsRoute({
      name: "SaveChatTopicEntity",
      summary: "Updates the ChatTopicEntity, or creates one when ChatTopicId is 0",
      body: TOPIC_SCHEMA,
      response: TOPIC_SCHEMA,
      async run(request, entity: { ChatTopicId: number }) {
        const raw = requireBody(request);
        const saved =
          entity.ChatTopicId > 0
            ? await topics.update(request.actor, entity.ChatTopicId, (s) => readTopic(raw, s))
            : await topics.create(request.actor, (defaults) => readTopic(raw, defaults));
        return topicCarrier(saved);
      },
    }),
    agentsRoute({
      name: "DeleteChatTopicEntity",
      summary: "Deletes the ChatTopicEntity with its members and sessions",
      query: ENTITY_ID("chatTopicEntityId"),
      run: (request) => topics.delete(request.actor, request.bound.int("chatTopicEntityId")),
    }),
    agentsRoute({
      name: "CreateDefaultChatTopicEntity",
      summary: "A new ChatTopicEntity with default values (not saved)",
      response: TOPIC_SCHEMA,
      run: async () => topicCarrier(topics.defaultTopic()),
    }),
    agentsRoute({
      name: "CreateDefaultChatTopicAgent",
      summary: "A new ChatTopicAgent with default values: no topic, no user, no rights (not saved)",
      response: TOPIC_AGENT_SCHEMA,
      run: async () => defaultTopicAgent(),
    }),
    agentsRoute({
      name: "ChatTopicsForUser",
      summary: "The chat topics where the caller holds at least one right",
      response: TOPIC_LIST,
      run: async (request) => (await topics.forUser(request.actor)).map(topicCarrier),
    }),
    agentsRoute<TopicArgs>({
      name: "GetChatTopicUserAgentList",
      summary: "Users assigned to a chat topic",
      body: requestSchema("GetChatTopicUserAgentList", TOPIC_ID),
      response: TOPIC_AGENT_LIST,
      run: async (request, args) =>
        (await topics.members(request.actor, args.ChatTopicId)).map(topicAgentOf),
    }),
    agentsRoute<TopicArgs>({
      name: "GetChatTopicUserAgent",
      summary: "Get a user assigned to a topic (null when not a member)",
      body: requestSchema("GetChatTopicUserAgent", { ...TOPIC_ID, ...USERNAME }),
      response: TOPIC_AGENT_SCHEMA,
      run: async (request, args) =>
        topicAgentOf(await topics.member(request.actor, args.ChatTopicId, args.Username ?? "")),
    }),
    agentsRoute<TopicArgs>({
      name: "AddChatTopicUserAgent",
      summary: "Add a user to a chat topic (or set their rights if already a member)",
      body: requestSchema("AddChatTopicUserAgent", { ...TOPIC_ID, Useragent: TOPIC_AGENT_SCHEMA }),
      response: TOPIC_AGENT_SCHEMA,
      async run(request, args) {
        const raw = propertyOf(requireBody(request), "Useragent");
        const input = memberInput(readTopicAgent(raw ?? null, "Useragent"), "Useragent.");
        return topicAgentOf(await topics.addMember(request.actor, args.ChatTopicId, input));
      },
    }),
    agentsRoute<TopicArgs>({
      name: "UpdateChatTopicUserAgent",
      summary: "Update a member's rights in a chat topic",
      body: requestSchema("UpdateChatTopicUserAgent", {
        ...TOPIC_ID,
        ...USERNAME,
        Useragent: TOPIC_AGENT_SCHEMA,
      }),
      response: TOPIC_AGENT_SCHEMA,
      async run(request, args) {
        const raw = propertyOf(requireBody(request), "Useragent");
        const { user: _ignored, ...rights } = readTopicAgent(raw ?? null, "Useragent");
        const member = await topics.updateMember(
          request.actor,
          args.ChatTopicId,
          args.Username ?? "",
          rights,
        );
        return topicAgentOf(member);
      },
    }),
    agentsRoute<TopicArgs>({
      name: "UpdateChatTopicUserAgents",
      summary: "Set the rights of the listed users (added if not members yet); returns all members",
      body: requestSchema("UpdateChatTopicUserAgents", {
        ...TOPIC_ID,
        Useragents: TOPIC_AGENT_LIST,
      }),
      response: TOPIC_AGENT_LIST,
      async run(request, args) {
        const inputs = memberInputs(propertyOf(requireBody(request), "Useragents"), "Useragents");
        return (await topics.updateMembers(request.actor, args.ChatTopicId, inputs)).map(
          topicAgentOf,
        );
      },
    }),
    agentsRoute<TopicArgs>({
      name: "DeleteChatTopicUserAgent",
      summary: "Remove a user from a topic",
      body: requestSchema("DeleteChatTopicUserAgent", { ...TOPIC_ID, ...USERNAME }),
      run: (request, args) =>
        topics.deleteMember(request.actor, args.ChatTopicId, args.Username ?? ""),
    }),
    agentsRoute<{ Flat: boolean; OnlyPresent: boolean }>({
      name: "GetUserAgentList",
      summary: "Users that can be assigned to chat topics, flat or grouped (groups are the roles)",
      body: requestSchema("GetUserAgentList", {
        Flat: bool("Return a flat list instead of grouping by user group"),
        OnlyPresent: bool("Only users who are present"),
      }),
      response: MDO_LIST,
      run: async (_request, args) =>
        userAgentList(await topics.userAgents(args.OnlyPresent), args.Flat),
    }),
    agentsRoute<TopicArgs>({
      name: "IsWithinOpeningHours",
      summary: "Whether the topic is within its opening hours right now (false for no such topic)",
      body: requestSchema("IsWithinOpeningHours", TOPIC_ID),
      response: { type: "boolean" },
      run: (_request, args) => topics.isOpen(args.ChatTopicId),
    }),
  ];
}

type RouteSpecs = ReturnType<typeof agentsRoute>[];
