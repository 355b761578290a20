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
import { carrierResponse, pathIntParameter, sendCarrier } from "../carriers/render.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import type { ParameterSpec, ResponseSpec, RouteSpec } from "../route.ts";

const TAG = "ChatSession";
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
  return [
    {
      method: "GET",
      url: "/api/v1/ChatSession/:chatSessionId/Messages",
      operationId: "v1ChatSessionEntity_GetChatMessages",
      summary: "Get all or some of the messages in a chat session",
      tag: TAG,
      auth: true,
      parameters: [SESSION_ID, AFTER_PARAMETER],
      responses: {
        200: carrierResponse(MESSAGE_LIST),
        403: FORBIDDEN,
        404: NOT_FOUND,
      },
      async handler(request, reply) {
        const list = await messages.list(
          request.actor,
          request.bound.int("chatSessionId"),
          request.bound.optionalInt("after") ?? 0,
        );
        return sendCarrier(request, reply, list.map(messageCarrier), MESSAGE_LIST);
      },
    },
    {
      method: "POST",
      url: "/api/v1/ChatSession/:chatSessionId/Messages",
      operationId: "v1ChatSessionEntity_AddChatMessage",
      summary:
        "Add a new message to a chat session (an ongoing chat moves to UserLast or CustomerLast)",
      tag: TAG,
      auth: true,
      parameters: [SESSION_ID],
      body: {
        schema: MESSAGE_SCHEMA,
        required: true,
        contentTypes: BODY_TYPES,
        description: "Message to add",
      },
      responses: {
        200: carrierResponse(MESSAGE_SCHEMA, "The message as stored"),
        400: { description: "Not a valid message" },
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: { description: "The session is over, or holds the most messages it may" },
      },
      async handler(request, reply) {
        const id = request.bound.int("chatSessionId");
        const input = readMessage(requireBody(request));
        const posted = await messages.post(request.actor, id, input);
        return sendCarrier(request, reply, messageCarrier(posted), MESSAGE_SCHEMA);
      },
    },
    {
      method: "POST",
      url: "/api/v1/ChatSession/:chatSessionId/Transcript",
      operationId: "v1ChatSessionEntity_GetChatTranscript",
      summary: "Get the chat transcript, formatted as plain text or html",
      tag: TAG,
      auth: true,
      parameters: [SESSION_ID, HTML_PARAMETER],
      responses: {
        200: carrierResponse(TRANSCRIPT_SCHEMA),
        403: FORBIDDEN,
        404: NOT_FOUND,
      },
      async handler(request, reply) {
        const id = request.bound.int("chatSessionId");
        const transcript = await messages.transcript(request.actor, id, request.bound.bool("html"));
        return sendCarrier(request, reply, transcript, TRANSCRIPT_SCHEMA);
      },
    },
  ];
}
