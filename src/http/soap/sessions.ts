/** Chat.svc operations on sessions: the Agents routes' twins over the same SessionService. */
import type { Actor } from "../../domain/presence.ts";
import type { ChatSessionRecord } from "../../domain/session.ts";
import type { Services } from "../../service/services.ts";
import {
  assertSameTopic,
  newSessionInput,
  readSession,
  SESSION_LIST,
  SESSION_SCHEMA,
  sessionCarrier,
} from "../carriers/session.ts";
import { chatOperation, INT, requiredArgument, TEXT } from "./binding.ts";
import type { Operation, Operations } from "./call.ts";

interface SessionArgs {
  ChatSessionId: number;
  ChatSessionEntityId: number;
  ChatTopicId: number;
  ToAssociate: string | null;
}

export function sessionOperations({ sessions }: Services): Operations {
  /** An operation on one session by ChatSessionId, answering the session as it is after. */
  const byId = (
    name: string,
    run: (actor: Actor, id: number) => Promise<ChatSessionRecord>,
  ): Operation =>
    chatOperation<SessionArgs>(name, {
      args: { ChatSessionId: INT },
      response: SESSION_SCHEMA,
      run: async (actor, args) => sessionCarrier(await run(actor, args.ChatSessionId)),
    });

  return {
    CreateDefaultChatSessionEntity: chatOperation("CreateDefaultChatSessionEntity", {
      response: SESSION_SCHEMA,
      run: async () => sessionCarrier(sessions.defaultSession()),
    }),
    CreateChatSessionForTopic: chatOperation<SessionArgs>("CreateChatSessionForTopic", {
      args: { ChatTopicId: INT },
      response: SESSION_SCHEMA,
      run: async (_actor, args) =>
        sessionCarrier(await sessions.create({ topicId: args.ChatTopicId })),
    }),
    GetChatSessionEntity: chatOperation<SessionArgs>("GetChatSessionEntity", {
      args: { ChatSessionEntityId: INT },
      response: SESSION_SCHEMA,
      run: async (actor, args) =>
        sessionCarrier(await sessions.get(actor, args.ChatSessionEntityId)),
    }),
    SaveChatSessionEntity: chatOperation<SessionArgs>("SaveChatSessionEntity", {
      args: { ChatSessionEntity: SESSION_SCHEMA },
      response: SESSION_SCHEMA,
      async run(actor, _args, input) {
        const saved = readSession(requiredArgument(input, "ChatSessionEntity"));
        if (saved.id <= 0) return sessionCarrier(await sessions.create(newSessionInput(saved)));
        assertSameTopic(saved, (await sessions.get(actor, saved.id)).topicId);
        return sessionCarrier(await sessions.save(actor, saved.id, saved.edit));
      },
    }),
    DeleteChatSessionEntity: chatOperation<SessionArgs>("DeleteChatSessionEntity", {
      args: { ChatSessionEntityId: INT },
      run: (actor, args) => sessions.delete(actor, args.ChatSessionEntityId),
    }),
    ChatSessionsForUser: chatOperation("ChatSessionsForUser", {
      response: SESSION_LIST,
      run: async (actor) => (await sessions.forUser(actor)).map(sessionCarrier),
    }),
    PickUpChatSession: byId("PickUpChatSession", (actor, id) => sessions.pickUp(actor, id)),
    PickUpFirstChatSession: chatOperation("PickUpFirstChatSession", {
      response: SESSION_SCHEMA,
      run: async (actor) => {
        const picked = await sessions.pickUpFirst(actor);
        return picked && sessionCarrier(picked);
      },
    }),
    TransferChatSession: chatOperation<SessionArgs>("TransferChatSession", {
      args: { ChatSessionId: INT, ToAssociate: TEXT },
      response: SESSION_SCHEMA,
      run: async (actor, args) =>
        sessionCarrier(await sessions.transfer(actor, args.ChatSessionId, args.ToAssociate ?? "")),
    }),
    AcceptChatSessionTransfer: byId("AcceptChatSessionTransfer", (actor, id) =>
      sessions.acceptTransfer(actor, id),
    ),
    RejectChatSessionTransfer: byId("RejectChatSessionTransfer", (actor, id) =>
      sessions.rejectTransfer(actor, id),
    ),
    ResetChatSession: byId("ResetChatSession", (actor, id) => sessions.reset(actor, id)),
  };
}
