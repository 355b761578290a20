/** Chat.svc operations on topics, their members and the user list: the Agents routes' twins. */
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
import { propertyOf } from "../codecs/schema.ts";
import { BOOL, chatOperation, INT, requiredArgument, TEXT } from "./binding.ts";
import type { Operations } from "./call.ts";

const TOPIC_ID = { ChatTopicId: INT };
const MEMBER = { ChatTopicId: INT, Username: TEXT };

interface TopicArgs {
  ChatTopicId: number;
  ChatTopicEntityId: number;
  Username: string | null;
  Flat: boolean;
  OnlyPresent: boolean;
  ChatTopicEntity: { ChatTopicId: number } | null;
}

export function topicOperations({ topics }: Services): Operations {
  return {
    GetChatTopicEntity: chatOperation<TopicArgs>("GetChatTopicEntity", {
      args: { ChatTopicEntityId: INT },
      response: TOPIC_SCHEMA,
      run: async (actor, args) => topicCarrier(await topics.get(actor, args.ChatTopicEntityId)),
    }),
    SaveChatTopicEntity: chatOperation<TopicArgs>("SaveChatTopicEntity", {
      args: { ChatTopicEntity: TOPIC_SCHEMA },
      response: TOPIC_SCHEMA,
      async run(actor, args, input) {
        const raw = requiredArgument(input, "ChatTopicEntity");
        const id = args.ChatTopicEntity?.ChatTopicId ?? 0;
        const saved =
          id > 0
            ? await topics.update(actor, id, (stored) => readTopic(raw, stored))
            : await topics.create(actor, (defaults) => readTopic(raw, defaults));
        return topicCarrier(saved);
      },
    }),
    DeleteChatTopicEntity: chatOperation<TopicArgs>("DeleteChatTopicEntity", {
      args: { ChatTopicEntityId: INT },
      run: (actor, args) => topics.delete(actor, args.ChatTopicEntityId),
    }),
    CreateDefaultChatTopicEntity: chatOperation("CreateDefaultChatTopicEntity", {
      response: TOPIC_SCHEMA,
      run: async () => topicCarrier(topics.defaultTopic()),
    }),
    ChatTopicsForUser: chatOperation("ChatTopicsForUser", {
      response: TOPIC_LIST,
      run: async (actor) => (await topics.forUser(actor)).map(topicCarrier),
    }),
    CreateDefaultChatTopicAgent: chatOperation("CreateDefaultChatTopicAgent", {
      response: TOPIC_AGENT_SCHEMA,
      run: async () => defaultTopicAgent(),
    }),
    GetChatTopicUserAgentList: chatOperation<TopicArgs>("GetChatTopicUserAgentList", {
      args: TOPIC_ID,
      response: TOPIC_AGENT_LIST,
      run: async (actor, args) => (await topics.members(actor, args.ChatTopicId)).map(topicAgentOf),
    }),
    GetChatTopicUserAgent: chatOperation<TopicArgs>("GetChatTopicUserAgent", {
      args: MEMBER,
      response: TOPIC_AGENT_SCHEMA,
      run: async (actor, args) =>
        topicAgentOf(await topics.member(actor, args.ChatTopicId, args.Username ?? "")),
    }),
    AddChatTopicUserAgent: chatOperation<TopicArgs>("AddChatTopicUserAgent", {
      args: { ...TOPIC_ID, Useragent: TOPIC_AGENT_SCHEMA },
      response: TOPIC_AGENT_SCHEMA,
      async run(actor, args, input) {
        const raw = propertyOf(input, "Useragent") ?? null;
        const member = memberInput(readTopicAgent(raw, "Useragent"), "Useragent.");
        return topicAgentOf(await topics.addMember(actor, args.ChatTopicId, member));
      },
    }),
    UpdateChatTopicUserAgent: chatOperation<TopicArgs>("UpdateChatTopicUserAgent", {
      args: { ...MEMBER, Useragent: TOPIC_AGENT_SCHEMA },
      response: TOPIC_AGENT_SCHEMA,
      async run(actor, args, input) {
        const raw = propertyOf(input, "Useragent") ?? null;
        const { user: _named, ...rights } = readTopicAgent(raw, "Useragent");
        const username = args.Username ?? "";
        return topicAgentOf(await topics.updateMember(actor, args.ChatTopicId, username, rights));
      },
    }),
    UpdateChatTopicUserAgents: chatOperation<TopicArgs>("UpdateChatTopicUserAgents", {
      args: { ...TOPIC_ID, Useragents: TOPIC_AGENT_LIST },
      response: TOPIC_AGENT_LIST,
      async run(actor, args, input) {
        const inputs = memberInputs(propertyOf(input, "Useragents"), "Useragents");
        return (await topics.updateMembers(actor, args.ChatTopicId, inputs)).map(topicAgentOf);
      },
    }),
    DeleteChatTopicUserAgent: chatOperation<TopicArgs>("DeleteChatTopicUserAgent", {
      args: MEMBER,
      run: (actor, args) => topics.deleteMember(actor, args.ChatTopicId, args.Username ?? ""),
    }),
    GetUserAgentList: chatOperation<TopicArgs>("GetUserAgentList", {
      args: { Flat: BOOL, OnlyPresent: BOOL },
      response: MDO_LIST,
      run: async (_actor, args) =>
        userAgentList(await topics.userAgents(args.OnlyPresent), args.Flat),
    }),
  };
}
