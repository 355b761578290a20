/**
 * PUT /api/v1/Webhooks/{id}/EventTypes (extension, admins only): changes what a registered
 * webhook is sent, presence changes, routing events or both, without registering it anew (its
 * secret, deliveries and receiver state stay). Events fanned out after the change follow it.
 */
import { WEBHOOK_EVENT_TYPES } from "../../domain/webhook.ts";
import type { Services } from "../../service/services.ts";
import { BODY_TYPES, readBody } from "../codecs/body.ts";
import type { ObjectSchema } from "../codecs/schema.ts";
import { type RouteSpec, routeGroup } from "../route.ts";
import { ID, toJson, WEBHOOK_SCHEMA } from "./webhooks.ts";

const EVENT_TYPES_SCHEMA: ObjectSchema = {
  type: "object",
  title: "WebhookEventTypesRequest",
  properties: {
    EventTypes: {
      type: "array",
      items: { type: "string" },
      description: `What to send: ${WEBHOOK_EVENT_TYPES.join(", ")} (null: ["presence"])`,
    },
  },
};

const route = routeGroup({ tag: "Webhooks", extension: true });

export function webhookEventTypeRoutes({ webhooks }: Services): RouteSpec[] {
  return [
    route(
      "PUT /api/v1/Webhooks/:id/EventTypes",
      "WebhookSetEventTypes",
      "Change what a webhook is sent: presence changes, routing events, or both",
      {
        parameters: [ID],
        body: { schema: EVENT_TYPES_SCHEMA, required: true, contentTypes: BODY_TYPES },
        responses: {
          200: { description: "The webhook as it is now", schema: WEBHOOK_SCHEMA },
          400: { description: "EventTypes is empty or names an unknown type" },
          403: { description: "The caller is not an administrator" },
          404: { description: "There is no webhook with this id" },
        },
        async handler(request) {
          const body = readBody(request, EVENT_TYPES_SCHEMA) as {
            EventTypes: (string | null)[] | null;
          };
          const id = request.bound.int("id");
          return toJson(await webhooks.setEventTypes(request.actor, id, body.EventTypes));
        },
      },
    ),
  ];
}
