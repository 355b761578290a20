/**
 * Webhooks (extensions beyond SuperOffice, admins only): register, list, read and delete
 * webhooks, and read each one's delivery log. The secret is write-only: no answer echoes it.
 */

import { localized } from "../../domain/errors.ts";
import { ROUTING_EVENT_TYPES } from "../../domain/routing-event.ts";
import type { Delivery, Webhook, WebhookEventType } from "../../domain/webhook.ts";
import {
  isRoutingEvent,
  SECRET_MIN_LENGTH,
  WEBHOOK_EVENT,
  WEBHOOK_EVENT_TYPES,
} from "../../domain/webhook.ts";
import type { Services } from "../../service/services.ts";
import { DELIVERY_LOG_LIMIT } from "../../service/webhooks.ts";
import { BODY_TYPES, readBody } from "../codecs/body.ts";
import { INT32, type ObjectSchema, type Schema } from "../codecs/schema.ts";
import { noContent, type ParameterSpec, type RouteSpec, routeGroup } from "../route.ts";

const TEXT: Schema = { type: "string" };
const route = routeGroup({ tag: "Webhooks", extension: true });

const REQUEST_SCHEMA: ObjectSchema = {
  type: "object",
  title: "WebhookRequest",
  description: "A webhook to register",
  properties: {
    Url: { ...TEXT, description: "Where to POST each change: an absolute http or https URL" },
    Secret: {
      ...TEXT,
      description: `Key of the X-ChatPresence-Signature HMAC, at least ${SECRET_MIN_LENGTH} characters; never shown again`,
    },
    TopicId: {
      ...INT32,
      description:
        "Only changes of users in this chat topic (before or after the change), and routing events of it; 0 or absent for all",
    },
    EventTypes: {
      type: "array",
      items: TEXT,
      description: `What to send: ${WEBHOOK_EVENT_TYPES.join(", ")} (absent or null: ["presence"])`,
    },
  },
};

export const WEBHOOK_SCHEMA: ObjectSchema = {
  type: "object",
  title: "Webhook",
  properties: {
    WebhookId: INT32,
    Url: TEXT,
    TopicId: { ...INT32, description: "null when every change is sent" },
    HasSecret: { type: "boolean", description: "Always true: the secret is stored, never shown" },
    EventTypes: { type: "array", items: TEXT, description: "presence, routing, or both" },
    Events: {
      type: "array",
      items: TEXT,
      description: `The X-ChatPresence-Event values it is sent: ${WEBHOOK_EVENT} and routing.<Type>`,
    },
    CreatedAt: { ...TEXT, description: "ISO 8601 time" },
    CreatedBy: { ...INT32, description: "UserId of the admin who registered it" },
    FailingSince: {
      ...TEXT,
      description:
        "ISO 8601 time of the first of the receiver's current run of failed attempts; null while it answers",
    },
    NextAttemptAt: {
      ...TEXT,
      description:
        "While failing: ISO 8601 time the receiver is tried again (it rests in between, longer after each failure); null while it answers",
    },
    LastError: { ...TEXT, description: "While failing: why the last attempt failed; else null" },
    ConsecutiveFailures: {
      ...INT32,
      description:
        "Times in a row the receiver failed (attempts in flight together count once); 0 while it answers",
    },
  },
};

const DELIVERY_SCHEMA: ObjectSchema = {
  type: "object",
  title: "WebhookDelivery",
  description: "One change sent (or being sent) to a webhook",
  properties: {
    DeliveryId: { ...TEXT, description: "UUID; the X-ChatPresence-Delivery header and body field" },
    EventType: { ...TEXT, description: "presence or routing" },
    EventVersion: {
      ...INT32,
      description: "Version (history id) of the change, or Id of the routing event",
    },
    UserId: { ...INT32, description: "The user changed, or the agent of the routing event" },
    Status: { ...TEXT, description: "pending, delivered or failed (after the last attempt)" },
    Attempts: { ...INT32, description: "Attempts started so far" },
    LastStatusCode: { ...INT32, description: "HTTP status of the last answer; null if none" },
    LastError: { ...TEXT, description: "Why the last attempt failed; null if it did not" },
    LastAttemptAt: { ...TEXT, description: "ISO 8601 time, null before the first attempt" },
    NextAttemptAt: { ...TEXT, description: "ISO 8601 time of the next attempt; null when done" },
    DeliveredAt: { ...TEXT, description: "ISO 8601 time; null until delivered" },
    CreatedAt: { ...TEXT, description: "ISO 8601 time the change was enqueued" },
  },
};

/** Anything but a positive int32 names no webhook. */
export const ID: ParameterSpec = {
  name: "id",
  in: "path",
  description: "The WebhookId",
  schema: INT32,
  style: "plain",
  minimum: 1,
  maxDigits: 10,
  notFound: { code: "PRES_ERR_NO_WEBHOOK", param: "webhookId" },
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toJson(webhook: Webhook) {
  return {
    WebhookId: webhook.id,
    Url: webhook.url,
    TopicId: webhook.topicId,
    HasSecret: webhook.secret !== "",
    EventTypes: webhook.eventTypes,
    Events: webhook.eventTypes.flatMap(eventNames),
    CreatedAt: iso(webhook.createdAt),
    CreatedBy: webhook.createdBy,
    FailingSince: iso(webhook.health.failingSince),
    NextAttemptAt: iso(webhook.health.nextAttemptAt),
    LastError: webhook.health.lastError,
    ConsecutiveFailures: webhook.health.consecutiveFailures,
  };
}

/** The X-ChatPresence-Event values one event type is sent as. */
function eventNames(type: WebhookEventType): string[] {
  return type === "presence" ? [WEBHOOK_EVENT] : ROUTING_EVENT_TYPES.map((t) => `routing.${t}`);
}

function deliveryJson(delivery: Delivery) {
  const { event } = delivery;
  const routing = isRoutingEvent(event);
  return {
    DeliveryId: delivery.id,
    EventType: routing ? "routing" : "presence",
    EventVersion: routing ? event.Id : event.Version,
    UserId: event.UserId,
    Status: delivery.status,
    Attempts: delivery.attempts,
    LastStatusCode: delivery.lastStatusCode,
    LastError: delivery.lastError,
    LastAttemptAt: iso(delivery.lastAttemptAt),
    NextAttemptAt: iso(delivery.nextAttemptAt),
    DeliveredAt: iso(delivery.deliveredAt),
    CreatedAt: iso(delivery.createdAt),
  };
}

export function webhookRoutes({ webhooks }: Services): RouteSpec[] {
  const forbidden = { 403: { description: "The caller is not an administrator" } };
  const notFound = { 404: { description: "There is no webhook with this id" } };
  return [
    route(
      "POST /api/v1/Webhooks",
      "WebhookCreate",
      `Register a webhook: each presence change (${WEBHOOK_EVENT}) and/or routing event (routing.<Type>) is POSTed to it as JSON, signed`,
      {
        body: { schema: REQUEST_SCHEMA, required: true, contentTypes: BODY_TYPES },
        responses: {
          201: { description: "Registered", schema: WEBHOOK_SCHEMA },
          400: {
            description:
              "Url, Secret, TopicId or EventTypes is not valid, or Url is a private address this server may not call",
          },
          ...forbidden,
          409: { description: "As many webhooks as the server allows exist already" },
        },
        async handler(request, reply) {
          const body = readBody(request, REQUEST_SCHEMA) as {
            Url: string | null;
            Secret: string | null;
            TopicId: number;
            EventTypes: (string | null)[] | null;
          };
          const webhook = await webhooks.register(request.actor, {
            url: body.Url,
            secret: body.Secret,
            topicId: body.TopicId,
            eventTypes: body.EventTypes,
          });
          return reply
            .code(201)
            .header("location", `/api/v1/Webhooks/${webhook.id}`)
            .send(toJson(webhook));
        },
      },
    ),
    route(
      "GET /api/v1/Webhooks",
      "WebhookList",
      "The registered webhooks (secrets are never shown)",
      {
        responses: {
          200: { description: "Webhooks", schema: { type: "array", items: WEBHOOK_SCHEMA } },
          ...forbidden,
        },
        async handler(request) {
          return (await webhooks.list(request.actor)).map(toJson);
        },
      },
    ),
    route(
      "GET /api/v1/Webhooks/:id",
      "WebhookGet",
      "One webhook, with its receiver's state (failing since, next attempt, last error)",
      {
        parameters: [ID],
        responses: {
          200: { description: "The webhook", schema: WEBHOOK_SCHEMA },
          ...forbidden,
          ...notFound,
        },
        async handler(request) {
          return toJson(await webhooks.get(request.actor, request.bound.int("id")));
        },
      },
    ),
    route(
      "DELETE /api/v1/Webhooks/:id",
      "WebhookDelete",
      "Delete a webhook with its pending deliveries and its delivery log",
      {
        parameters: [ID],
        responses: { 204: { description: "Deleted" }, ...forbidden, ...notFound },
        handler: noContent((request) => webhooks.remove(request.actor, request.bound.int("id"))),
      },
    ),
    route(
      "GET /api/v1/Webhooks/:id/Deliveries",
      "WebhookDeliveries",
      "A webhook's delivery log, newest first",
      {
        parameters: [
          ID,
          {
            name: "limit",
            in: "query",
            description: `At most this many entries (default 100, max ${DELIVERY_LOG_LIMIT})`,
            schema: INT32,
            style: "plain",
            minimum: 1,
            maxDigits: 9,
            expected: localized(
              `a whole number from 1 to ${DELIVERY_LOG_LIMIT}`,
              `et heltall fra 1 til ${DELIVERY_LOG_LIMIT}`,
            ),
          },
        ],
        responses: {
          200: { description: "Deliveries", schema: { type: "array", items: DELIVERY_SCHEMA } },
          ...forbidden,
          ...notFound,
        },
        async handler(request) {
          const log = await webhooks.deliveries(
            request.actor,
            request.bound.int("id"),
            request.bound.optionalInt("limit"),
          );
          return log.map(deliveryJson);
        },
      },
    ),
  ];
}
