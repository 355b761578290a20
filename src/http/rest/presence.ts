/**
 * REST /api/v1/Presence: GetAll and SaveAll. Thin: bind the body, call the presence service,
 * render through the shared PresenceRenderer (agents/presence.ts serves the Agents flavour).
 */
import type { Services } from "../../service/services.ts";
import { PRESENCE_LIST, readPresenceUpdates } from "../carriers/presence.ts";
import {
  PRESENCE_LIST_OK,
  type PresenceRenderer,
  presenceListHandler,
} from "../carriers/presence-renderer.ts";
import { BODY_TYPES, requireBody } from "../codecs/body.ts";
import { noContent, type RouteSpec } from "../route.ts";

export function presenceRoutes({ presence }: Services, renderer: PresenceRenderer): RouteSpec[] {
  return [
    {
      method: "GET",
      url: "/api/v1/Presence/GetAll",
      operationId: "v1ChatPresence_GetChatPresence",
      summary: "Get the chat presence status for all chat users",
      tag: "ChatPresence",
      auth: true,
      responses: {
        200: PRESENCE_LIST_OK,
        304: { description: "Not modified since the ETag sent in If-None-Match" },
      },
      handler: presenceListHandler(presence, renderer, () => null),
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
      handler: noContent((request) =>
        presence.save(request.actor, readPresenceUpdates(requireBody(request), "")),
      ),
    },
  ];
}
