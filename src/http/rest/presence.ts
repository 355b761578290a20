/**
 * The SuperOffice presence routes, REST and Agents flavours. Both are thin: bind the body,
 * call the presence service, render through the shared PresenceRenderer.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../../service/services.ts";
import { CHAT_PRESENCE_SCHEMA, parseSelect, readPresenceUpdates } from "../carriers/presence.ts";
import { PresenceRenderer } from "../carriers/presence-renderer.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import { negotiate } from "../codecs/negotiate.ts";
import { propertyOf, type Schema } from "../codecs/schema.ts";
import type { ParameterSpec, RouteSpec } from "../route.ts";

const PRESENCE_LIST: Schema = { type: "array", items: CHAT_PRESENCE_SCHEMA };
const RESPONSE_TYPES = ["application/json", "text/json", "application/xml", "text/xml"];
const SAVE_REQUEST: Schema = {
  type: "object",
  title: "Chat_SaveChatPresenceRequest",
  properties: { ChatPresence: PRESENCE_LIST },
};
const SELECT: ParameterSpec = {
  name: "$select",
  in: "query",
  description:
    "Comma-separated fields to include; the others are nulled out (0/false for numbers and booleans)",
  schema: { type: "string" },
};

export function presenceRoutes({ presence }: Services): RouteSpec[] {
  const renderer = new PresenceRenderer();

  async function sendPresence(request: FastifyRequest, reply: FastifyReply, withSelect: boolean) {
    const snapshot = await presence.getAll();
    const query = request.query as Record<string, string | undefined>;
    const select = withSelect ? parseSelect(query.$select) : null;
    const rendered = renderer.render(snapshot, negotiate(request.headers.accept), select);
    reply
      .header("etag", rendered.etag)
      .header("cache-control", "no-cache")
      .header("vary", "Accept");
    if (request.headers["if-none-match"] === rendered.etag) return reply.code(304).send();
    return reply.type(rendered.contentType).send(rendered.body);
  }

  async function save(request: FastifyRequest, reply: FastifyReply, wrapped: boolean) {
    const raw = requireBody(request);
    const updates = wrapped
      ? readPresenceUpdates(propertyOf(raw, "ChatPresence"), "ChatPresence")
      : readPresenceUpdates(raw, "");
    await presence.save(request.actor, updates);
    return reply.code(204).send();
  }

  const listResponse = { description: "OK", schema: PRESENCE_LIST, contentTypes: RESPONSE_TYPES };
  return [
    {
      method: "GET",
      url: "/api/v1/Presence/GetAll",
      operationId: "v1ChatPresence_GetChatPresence",
      summary: "Get the chat presence status for all chat users",
      tag: "ChatPresence",
      auth: true,
      responses: {
        200: listResponse,
        304: { description: "Not modified since the ETag sent in If-None-Match" },
      },
      handler: (request, reply) => sendPresence(request, reply, false),
    },
    {
      method: "POST",
      url: "/api/v1/Presence/SaveAll",
      operationId: "v1ChatPresence_SaveChatPresence",
      summary: "Save the chat presence for specified users (only UserId and Present are used)",
      tag: "ChatPresence",
      auth: true,
      body: { schema: PRESENCE_LIST, required: true, contentTypes: BODY_TYPES },
      responses: { 204: { description: "No Content" } },
      handler: (request, reply) => save(request, reply, false),
    },
    {
      method: "POST",
      url: "/api/v1/Agents/Chat/GetChatPresence",
      operationId: "v1ChatAgent_GetChatPresence",
      summary: "Get the chat presence status for all chat users",
      tag: "Chat_Agent",
      auth: true,
      parameters: [SELECT],
      responses: { 200: listResponse },
      handler: (request, reply) => sendPresence(request, reply, true),
    },
    {
      method: "POST",
      url: "/api/v1/Agents/Chat/SaveChatPresence",
      operationId: "v1ChatAgent_SaveChatPresence",
      summary: "Save the chat presence for specified users (only UserId and Present are used)",
      tag: "Chat_Agent",
      auth: true,
      parameters: [SELECT],
      body: { schema: SAVE_REQUEST, required: true, contentTypes: BODY_TYPES },
      responses: { 204: { description: "No Content" } },
      handler: (request, reply) => save(request, reply, true),
    },
  ];
}
