/**
 * REST chat messages and transcripts of a session (/api/v1/ChatSession/{chatSessionId}/…), as
 * the contract names them. Reading needs the right to read the session, posting the right to
 * change it (MessageService); a missing session is 404.
 */
import type { Services } from "../../service/services.ts";
import {
  MESSAGE_LIST,
  MESSAGE_SCHEMA,
  messageCarrier,
  readMessage,
  TRANSCRIPT_SCHEMA,
} from "../carriers/message.ts";
import { carrierResponse, pathIntParameter, sendsCarrier } from "../carriers/render.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import type { ParameterSpec, ResponseSpec, RouteSpec } from "../route.ts";
import { chatSessionRoute as route } from "./groups.ts";

const SESSION_ID = pathIntParameter("chatSessionId", "The id of the chat session");
const NOT_FOUND: ResponseSpec = { description: "No such chat session" };
const FORBIDDEN: ResponseSpec = { description: "The caller may not read (or change) the session" };

const AFTER_PARAMETER: ParameterSpec = {
  name: "after",
  in: "query",
  description:
    "Return messages after this message id (0 or absent: from the start); at most one page (--messages-page), oldest first",
  schema: { type: "integer", format: "int32" },
  minimum: 0,
};

const HTML_PARAMETER: ParameterSpec = {
  name: "html",
  in: "query",
  description: "Get transcript as HTML (every value escaped); plain text otherwise",
  schema: { type: "boolean" },
};

export function messageRoutes({ messages }: Services): RouteSpec[] {
  const base = "/api/v1/ChatSession/:chatSessionId";
  /** Reading and posting fail alike: without the right, or for a missing session. */
  const answers = (ok: ResponseSpec, more: Record<number, ResponseSpec> = {}) => ({
    200: ok,
    ...more,
    403: FORBIDDEN,
    404: NOT_FOUND,
  });
  return [
    route(
      `GET ${base}/Messages`,
      "GetChatMessages",
      "Get all or some of the messages in a chat session",
      {
        parameters: [SESSION_ID, AFTER_PARAMETER],
        responses: answers(carrierResponse(MESSAGE_LIST)),
        handler: sendsCarrier(MESSAGE_LIST, async ({ actor, bound }) =>
          (
            await messages.list(actor, bound.int("chatSessionId"), bound.optionalInt("after") ?? 0)
          ).map(messageCarrier),
        ),
      },
    ),
    route(
      `POST ${base}/Messages`,
      "AddChatMessage",
      "Add a new message to a chat session (an ongoing chat moves to UserLast or CustomerLast)",
      {
        parameters: [SESSION_ID],
        body: {
          schema: MESSAGE_SCHEMA,
          required: true,
          contentTypes: BODY_TYPES,
          description: "Message to add",
        },
        responses: answers(carrierResponse(MESSAGE_SCHEMA, "The message as stored"), {
          400: { description: "Not a valid message" },
          409: { description: "The session is over, or holds the most messages it may" },
        }),
        handler: sendsCarrier(MESSAGE_SCHEMA, async (request) => {
          const id = request.bound.int("chatSessionId");
          const input = readMessage(requireBody(request));
          return messageCarrier(await messages.post(request.actor, id, input));
        }),
      },
    ),
    route(
      `POST ${base}/Transcript`,
      "GetChatTranscript",
      "Get the chat transcript, formatted as plain text or html",
      {
        parameters: [SESSION_ID, HTML_PARAMETER],
        responses: answers(carrierResponse(TRANSCRIPT_SCHEMA)),
        handler: sendsCarrier(TRANSCRIPT_SCHEMA, ({ actor, bound }) =>
          messages.transcript(actor, bound.int("chatSessionId"), bound.bool("html")),
        ),
      },
    ),
  ];
}
