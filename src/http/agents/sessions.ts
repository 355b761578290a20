/**
 * Agents/Chat operations on sessions. A pick-up someone else won, like a missing session,
 * answers null (as the contract says for PickUpChatSession); a rights failure is a 403.
 */
import type { Services } from "../../service/services.ts";
import {
  assertSameTopic,
  newSessionInput,
  readSession,
  SESSION_LIST,
  SESSION_SCHEMA,
  sessionCarrier,
} from "../carriers/session.ts";
import { requireBody } from "../codecs/body.ts";
import { agentsRoute, int, requestSchema, text } from "./binding.ts";

const SESSION_ID = { ChatSessionId: int("The chat session") };
const SESSION_ENTITY_ID = [
  {
    name: "chatSessionEntityId",
    in: "query" as const,
    description: "The id of the ChatSessionEntity",
    schema: { type: "integer", format: "int32" } as const,
    required: true,
  },
];

interface SessionArgs {
  ChatSessionId: number;
  ToAssociate: string | null;
  ChatTopicId: number;
}

export function agentsSessionRoutes({ sessions }: Services) {
  const byId = (
    name: string,
    summary: string,
    run: (actor: Parameters<typeof sessions.get>[0], id: number) => ReturnType<typeof sessions.get>,
  ) =>
    agentsRoute<SessionArgs>({
      name,
      summary,
      body: requestSchema(name, SESSION_ID),
      response: SESSION_SCHEMA,
      run: async (request, args) => sessionCarrier(await run(request.actor, args.ChatSessionId)),
    });

  return [
    agentsRoute<SessionArgs>({
      name: "CreateChatSessionForTopic",
      summary:
        "Create a new session on a chat topic; it waits in the queue (null for no such topic)",
      body: requestSchema("CreateChatSessionForTopic", { ChatTopicId: int("The chat topic") }),
      response: SESSION_SCHEMA,
      run: async (_request, args) =>
        sessionCarrier(await sessions.create({ topicId: args.ChatTopicId })),
    }),
    agentsRoute({
      name: "CreateDefaultChatSessionEntity",
      summary: "A new ChatSessionEntity with default values (not saved)",
      response: SESSION_SCHEMA,
      run: async () => sessionCarrier(sessions.defaultSession()),
    }),
    agentsRoute({
      name: "GetChatSessionEntity",
      summary: "Gets a ChatSessionEntity (null when there is none)",
      query: SESSION_ENTITY_ID,
      response: SESSION_SCHEMA,
      run: async (request) =>
        sessionCarrier(await sessions.get(request.actor, request.bound.int("chatSessionEntityId"))),
    }),
    agentsRoute<{ ChatSessionId: number }>({
      name: "SaveChatSessionEntity",
      summary:
        "Updates the ChatSessionEntity, or creates one (in the queue) when ChatSessionId is 0",
      body: SESSION_SCHEMA,
      response: SESSION_SCHEMA,
      async run(request) {
        const saved = readSession(requireBody(request));
        if (saved.id <= 0) return sessionCarrier(await sessions.create(newSessionInput(saved)));
        assertSameTopic(saved, (await sessions.get(request.actor, saved.id)).topicId);
        return sessionCarrier(await sessions.save(request.actor, saved.id, saved.edit));
      },
    }),
    agentsRoute({
      name: "DeleteChatSessionEntity",
      summary:
        "Deletes the ChatSessionEntity (its topic's managers and administrators); none: nothing happens",
      query: SESSION_ENTITY_ID,
      run: (request) => sessions.delete(request.actor, request.bound.int("chatSessionEntityId")),
    }),
    agentsRoute({
      name: "ChatSessionsForUser",
      summary: "Sessions in the caller's topics (any right), assigned to them or offered to them",
      response: SESSION_LIST,
      run: async (request) => (await sessions.forUser(request.actor)).map(sessionCarrier),
    }),
    byId(
      "PickUpChatSession",
      "Answer a queued session; null if it is not in the queue (any more)",
      (actor, id) => sessions.pickUp(actor, id),
    ),
    agentsRoute({
      name: "PickUpFirstChatSession",
      summary:
        "Answer the oldest queued session in a topic where the caller can respond; null if none",
      response: SESSION_SCHEMA,
      run: async (request) => {
        const picked = await sessions.pickUpFirst(request.actor);
        return picked && sessionCarrier(picked);
      },
    }),
    agentsRoute<SessionArgs>({
      name: "TransferChatSession",
      summary:
        "Offer the caller's chat to another user; if it is not the caller's, nothing happens",
      body: requestSchema("TransferChatSession", {
        ...SESSION_ID,
        ToAssociate: text("Associate username or associate id to send the session to"),
      }),
      response: SESSION_SCHEMA,
      run: async (request, args) =>
        sessionCarrier(
          await sessions.transfer(request.actor, args.ChatSessionId, args.ToAssociate ?? ""),
        ),
    }),
    byId("AcceptChatSessionTransfer", "Accept a transfer offered to the caller", (actor, id) =>
      sessions.acceptTransfer(actor, id),
    ),
    byId("RejectChatSessionTransfer", "Decline a transfer offered to the caller", (actor, id) =>
      sessions.rejectTransfer(actor, id),
    ),
    byId("ResetChatSession", "Put an ongoing chat back in the queue", (actor, id) =>
      sessions.reset(actor, id),
    ),
  ];
}
