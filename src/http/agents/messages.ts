/**
 * Agents/Chat operations on chat messages. As for every Agents operation a missing session
 * answers null; rights failures, a closed session and bad messages are the errors REST gives.
 */
import { localized, PresenceError } from "../../domain/errors.ts";
import type { Services } from "../../service/services.ts";
import {
  MESSAGE_LIST,
  MESSAGE_SCHEMA,
  messageCarrier,
  readMessage,
  TRANSCRIPT_SCHEMA,
} from "../carriers/message.ts";
import { requireBody } from "../codecs/body.ts";
import { propertyOf } from "../codecs/schema.ts";
import { agentsRoute, bool, int, requestSchema } from "./binding.ts";

const CHAT_SESSION_ID = int("The chat session");

export function agentsMessageRoutes({ messages }: Services) {
  return [
    agentsRoute<{ ChatSessionId: number }>({
      name: "AddChatMessage",
      summary:
        "Add a new message to a chat session (an ongoing chat moves to UserLast or CustomerLast)",
      body: requestSchema("AddChatMessage", {
        ChatSessionId: CHAT_SESSION_ID,
        Message: MESSAGE_SCHEMA,
      }),
      response: MESSAGE_SCHEMA,
      async run(request, args) {
        const raw = propertyOf(requireBody(request), "Message");
        if (raw === undefined || raw === null) {
          throw new PresenceError("PRES_ERR_BAD_BODY", {
            detail: localized(
              "Message: a ChatMessage is required",
              "Message: en ChatMessage kreves",
            ),
          });
        }
        const posted = await messages.post(
          request.actor,
          args.ChatSessionId,
          readMessage(raw, "Message"),
        );
        return messageCarrier(posted);
      },
    }),
    agentsRoute<{ ChatSessionId: number; After: number }>({
      name: "GetChatMessages",
      summary:
        "Get all or some of the messages in a chat session: those after After (a message id; 0 from the start), one page at most",
      body: requestSchema("GetChatMessages", {
        ChatSessionId: CHAT_SESSION_ID,
        After: int("Return messages after this message id (0: from the start)"),
      }),
      response: MESSAGE_LIST,
      async run(request, args) {
        if (args.After < 0) {
          throw new PresenceError("PRES_ERR_BAD_BODY", {
            detail: localized("After: expected 0 or more", "After: forventet 0 eller mer"),
          });
        }
        const list = await messages.list(request.actor, args.ChatSessionId, args.After);
        return list.map(messageCarrier);
      },
    }),
    agentsRoute<{ ChatSessionId: number; Html: boolean }>({
      name: "GetChatTranscript",
      summary: "Get the chat transcript, formatted as plain text or html (every value escaped)",
      body: requestSchema("GetChatTranscript", {
        ChatSessionId: CHAT_SESSION_ID,
        Html: bool("HTML instead of plain text"),
      }),
      response: TRANSCRIPT_SCHEMA,
      run: (request, args) => messages.transcript(request.actor, args.ChatSessionId, args.Html),
    }),
  ];
}
