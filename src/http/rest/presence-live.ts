/**
 * Live presence (extensions beyond SuperOffice): the SSE change stream, history and heartbeat.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { StreamFilter, StreamHub } from "../../realtime/stream.ts";
import { snapshotMatches, sseFrame } from "../../realtime/stream.ts";
import type { Services } from "../../service/services.ts";
import { BODY_TYPES, readOptionalBody } from "../codecs/body.ts";
import type { ObjectSchema, Schema } from "../codecs/schema.ts";
import type { ParameterSpec, RouteSpec } from "../route.ts";

const INT: Schema = { type: "integer", format: "int32" };

const EVENT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "PresenceChange",
  description: "One user's presence after a change, with what it was before",
  properties: {
    Id: { ...INT, description: "History id; the SSE event id" },
    UserId: INT,
    Present: { type: "boolean" },
    OngoingChats: INT,
    ChatTopics: { type: "array", items: INT },
    Previous: {
      type: "object",
      properties: {
        Present: { type: "boolean" },
        OngoingChats: INT,
        ChatTopics: { type: "array", items: INT },
      },
    },
    Source: { type: "string", description: "api, soap, admin, session or expiry" },
    ChangedBy: { ...INT, description: "UserId that caused the change; null for expiry" },
    At: { type: "string", description: "ISO 8601 time" },
  },
};

const HEARTBEAT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "HeartbeatRequest",
  properties: {
    UserId: { ...INT, description: "Admins only: renew this user instead of yourself" },
  },
};

/** A query parameter, read plainly; integers here are never negative. */
function query(name: string, description: string, schema: Schema = INT): ParameterSpec {
  const rule = schema.type === "integer" ? { minimum: 0 } : {};
  return { name, in: "query", description, schema, style: "plain", ...rule };
}

/** A time as ISO 8601 or milliseconds since the epoch. */
function timeParam(request: FastifyRequest, name: string): number | undefined {
  const value = request.bound.text(name);
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw new PresenceError("PRES_ERR_BAD_QUERY", { name, detail: "expected an ISO 8601 time" });
  return ms;
}

export function liveRoutes({ presence, history }: Services, hub: StreamHub): RouteSpec[] {
  // The unfiltered snapshot as JSON, for the presence version it was made from: a thousand
  // subscribers connecting at once serialise the list once, not a thousand times.
  let whole: { version: number; json: string } | null = null;

  async function stream(request: FastifyRequest, reply: FastifyReply) {
    const filter: StreamFilter = {
      userId: request.bound.optionalInt("userId"),
      topicId: request.bound.optionalInt("topicId"),
    };
    const lastEventHeader = request.headers["last-event-id"];
    const lastEventId =
      typeof lastEventHeader === "string" && /^\d+$/.test(lastEventHeader)
        ? Number(lastEventHeader)
        : undefined;
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "request-id": request.id,
    });
    const subscriber = hub.add(response, filter);
    const backlog = lastEventId === undefined ? null : await history.backlog(lastEventId);
    if (backlog) {
      for (const event of backlog)
        hub.write(subscriber, sseFrame("change", JSON.stringify(event), event.Version));
      hub.goLive(subscriber, backlog.at(-1)?.Version ?? (lastEventId as number));
      return;
    }
    if (lastEventId !== undefined) {
      hub.write(
        subscriber,
        sseFrame(
          "resync",
          JSON.stringify({
            Reason: `Last-Event-ID ${lastEventId} can no longer be resumed; a fresh snapshot follows`,
          }),
        ),
      );
    }
    const version = await history.latestVersion();
    const snapshot = await presence.getAll();
    let json: string;
    if (filter.userId === undefined && filter.topicId === undefined) {
      if (whole?.version !== snapshot.version)
        whole = { version: snapshot.version, json: JSON.stringify(snapshot.presence) };
      json = whole.json;
    } else {
      json = JSON.stringify(snapshot.presence.filter((p) => snapshotMatches(filter, p)));
    }
    hub.write(subscriber, sseFrame("snapshot", json, version));
    hub.goLive(subscriber, version);
  }

  return [
    {
      method: "GET",
      url: "/api/v1/Presence/Stream",
      operationId: "PresenceStream",
      summary:
        "Server-Sent Events: a `snapshot` event (as GetAll), then one `change` event per presence change",
      tag: "Live presence",
      auth: true,
      extension: true,
      parameters: [
        query("topicId", "Only users in this topic (before or after the change)"),
        query("userId", "Only this user"),
        {
          name: "Last-Event-ID",
          in: "header",
          description: "Resume after this event id without loss",
          schema: { type: "string" },
        },
      ],
      responses: { 200: { description: "An endless text/event-stream" } },
      handler: stream,
    },
    {
      method: "GET",
      url: "/api/v1/Presence/History",
      operationId: "PresenceHistory",
      summary: "Presence changes, oldest first (admins: anyone's; agents: their own)",
      tag: "Live presence",
      auth: true,
      extension: true,
      parameters: [
        query("userId", "Only this user"),
        query("since", "From this time (ISO 8601 or epoch ms), inclusive", { type: "string" }),
        query("until", "Up to this time, exclusive", { type: "string" }),
        query("limit", "At most this many entries (default 1000, max 10000)"),
      ],
      responses: {
        200: { description: "History entries", schema: { type: "array", items: EVENT_SCHEMA } },
      },
      async handler(request) {
        const events = await history.query(request.actor, {
          userId: request.bound.optionalInt("userId"),
          since: timeParam(request, "since"),
          until: timeParam(request, "until"),
          limit: request.bound.optionalInt("limit"),
        });
        return events.map(({ Version, ...rest }) => ({ Id: Version, ...rest }));
      },
    },
    {
      method: "POST",
      url: "/api/v1/Presence/Heartbeat",
      operationId: "PresenceHeartbeat",
      summary: "Renew the caller's presence before its TTL lapses (admins may name a UserId)",
      tag: "Live presence",
      auth: true,
      extension: true,
      body: { schema: HEARTBEAT_SCHEMA, required: false, contentTypes: BODY_TYPES },
      responses: { 204: { description: "Renewed" } },
      async handler(request, reply) {
        const body = readOptionalBody<{ UserId: number }>(request, HEARTBEAT_SCHEMA);
        await presence.heartbeat(request.actor, body?.UserId || undefined);
        return reply.code(204).send();
      },
    },
  ];
}
