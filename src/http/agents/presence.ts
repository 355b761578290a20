/**
 * Agents/Chat GetChatPresence and SaveChatPresence: the REST presence routes' twins over the same
 * service and the same PresenceRenderer, with `$select` and a wrapped save body.
 */
import type { Services } from "../../service/services.ts";
import { PRESENCE_LIST, parseSelect, readPresenceUpdates } from "../carriers/presence.ts";
import {
  PRESENCE_LIST_OK,
  type PresenceRenderer,
  presenceListHandler,
} from "../carriers/presence-renderer.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import { propertyOf, type Schema } from "../codecs/schema.ts";
import { noContent, type ParameterSpec, type RouteSpec } from "../route.ts";

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

export function agentsPresenceRoutes(
  { presence }: Services,
  renderer: PresenceRenderer,
): RouteSpec[] {
  return [
    {
      method: "POST",
      url: "/api/v1/Agents/Chat/GetChatPresence",
      operationId: "v1ChatAgent_GetChatPresence",
      summary: "Get the chat presence status for all chat users",
      tag: "Chat_Agent",
      auth: true,
      parameters: [SELECT],
      responses: { 200: PRESENCE_LIST_OK },
      // $select is read as sent (case-sensitive), as this route always has.
      handler: presenceListHandler(presence, renderer, (request) =>
        parseSelect((request.query as Record<string, string | undefined>).$select),
      ),
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
      handler: noContent((request) => {
        const raw = propertyOf(requireBody(request), "ChatPresence");
        return presence.save(request.actor, readPresenceUpdates(raw, "ChatPresence"));
      }),
    },
  ];
}
