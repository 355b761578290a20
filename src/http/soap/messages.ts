/** Chat.svc AddChatMessage, GetChatMessages and GetChatTranscript over MessageService. */
import type { Services } from "../../service/services.ts";
import { MESSAGE_LIST, MESSAGE_SCHEMA, messageCarrier, readMessage } from "../carriers/message.ts";
import { BOOL, chatOperation, INT, requiredArgument, TEXT } from "./binding.ts";
import type { Operations } from "./call.ts";

interface MessageArgs {
  ChatSessionId: number;
  After: number;
  Html: boolean;
}

export function messageOperations({ messages }: Services): Operations {
  return {
    AddChatMessage: chatOperation<MessageArgs>("AddChatMessage", {
      args: { ChatSessionId: INT, Message: MESSAGE_SCHEMA },
      response: MESSAGE_SCHEMA,
      async run(actor, args, input) {
        // Read here, not as an argument: a refused Type or text is ExceptionInfo, as on REST 400.
        const message = readMessage(requiredArgument(input, "Message"), "Message");
        return messageCarrier(await messages.post(actor, args.ChatSessionId, message));
      },
    }),
    GetChatMessages: chatOperation<MessageArgs>("GetChatMessages", {
      args: { ChatSessionId: INT, After: INT },
      response: MESSAGE_LIST,
      run: async (actor, args) =>
        (await messages.list(actor, args.ChatSessionId, args.After)).map(messageCarrier),
    }),
    GetChatTranscript: chatOperation<MessageArgs>("GetChatTranscript", {
      args: { ChatSessionId: INT, Html: BOOL },
      response: TEXT,
      run: (actor, args) => messages.transcript(actor, args.ChatSessionId, args.Html),
    }),
  };
}
