/**
 * Live presence (extensions beyond SuperOffice): the SSE change stream, history and heartbeat.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { PresenceEvent } from "../../domain/presence.ts";
import { isUnfiltered, type StreamFilter, snapshotMatches } from "../../domain/stream-filter.ts";
import { type StreamHub, type Subscriber, sseFrame } from "../../realtime/stream.ts";
import type { Services } from "../../service/services.ts";
import { BODY_TYPES, readOptionalBody } from "../codecs/body.ts";
import { INT32, type ObjectSchema, type Schema } from "../codecs/schema.ts";
import { noContent, type ParameterSpec, type RouteSpec, routeGroup } from "../route.ts";
import { serveEventStream } from "./event-stream.ts";

const route = routeGroup({ tag: "Live presence", extension: true });

const EVENT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "PresenceChange",
  description: "One user's presence after a change, with what it was before",
  properties: {
    Id: { ...INT32, description: "History id; the SSE event id" },
    UserId: INT32,
    Present: { type: "boolean" },
    OngoingChats: INT32,
    ChatTopics: { type: "array", items: INT32 },
    Previous: {
      type: "object",
      properties: {
        Present: { type: "boolean" },
        OngoingChats: INT32,
        ChatTopics: { type: "array", items: INT32 },
      },
    },
    Source: { type: "string", description: "api, soap, admin, session, expiry or routing" },
    ChangedBy: { ...INT32, description: "UserId that caused the change; null for expiry" },
    At: { type: "string", description: "ISO 8601 time" },
  },
};

const HEARTBEAT_SCHEMA: ObjectSchema = {
  type: "object",
  title: "HeartbeatRequest",
  properties: {
    UserId: { ...INT32, description: "Admins only: renew this user instead of yourself" },
  },
};

/** A query parameter, read plainly; integers here are never negative. */
export function query(name: string, description: string, schema: Schema = INT32): ParameterSpec {
  const rule = schema.type === "integer" ? { minimum: 0 } : {};
  return { name, in: "query", description, schema, style: "plain", ...rule };
}

/** A time as ISO 8601 or milliseconds since the epoch. */
export function timeParam(request: FastifyRequest, name: string): number | undefined {
  const value = request.bound.text(name);
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw new PresenceError("PRES_ERR_BAD_QUERY", { name, detail: "expected an ISO 8601 time" });
  return ms;
}

/** The replay as SSE frames, or null when it is bigger than the stream may be sent at once. */
function replayFrames(events: readonly PresenceEvent[], maxBytes: number): string | null {
  let text = "";
  for (const event of events) {
    text += sseFrame("change", JSON.stringify(event), event.Version);
    // Length in UTF-16 units never exceeds the UTF-8 bytes, so this check is cheap and safe
    // to make first; the exact count is taken once at the end.
    if (text.length > maxBytes) return null;
  }
  return Buffer.byteLength(text) > maxBytes ? null : text;
}

/** The SSE Last-Event-ID a reconnecting client sends; undefined unless it is an id. */
export function lastEventIdOf(request: FastifyRequest): number | undefined {
  const header = request.headers["last-event-id"];
  return typeof header === "string" && /^\d+$/.test(header) ? Number(header) : undefined;
}

export function liveRoutes({ presence, history }: Services, hub: StreamHub): RouteSpec[] {
  // The unfiltered snapshot frame, for the presence version and event id it was made from: a
  // thousand subscribers connecting at once serialise and encode the list once, not a thousand
  // times.
  let whole: { version: number; id: number; frame: Buffer } | null = null;

  async function snapshotFrame(
    filter: StreamFilter,
  ): Promise<{ version: number; frame: string | Buffer }> {
    const version = await history.latestVersion();
    const snapshot = await presence.getAll();
    if (!isUnfiltered(filter)) {
      const json = JSON.stringify(snapshot.presence.filter((p) => snapshotMatches(filter, p)));
      return { version, frame: sseFrame("snapshot", json, version) };
    }
    if (whole?.version !== snapshot.version || whole.id !== version) {
      const json = JSON.stringify(snapshot.presence);
      whole = {
        version: snapshot.version,
        id: version,
        frame: Buffer.from(sseFrame("snapshot", json, version)),
      };
    }
    return { version, frame: whole.frame };
  }

  /** Replays what the client missed, or sends resync and a snapshot; then streams live. */
  async function start(
    request: FastifyRequest,
    subscriber: Subscriber,
    filter: StreamFilter,
    lastEventId?: number,
  ) {
    if (lastEventId !== undefined) {
      const backlog = await history.backlog(request.actor, lastEventId, filter);
      const replay = backlog && replayFrames(backlog, hub.maxReplayBytes);
      if (replay !== null) {
        if (await hub.send(subscriber, replay))
          hub.goLive(subscriber, backlog?.at(-1)?.Version ?? lastEventId);
        return;
      }
      const reason = `Last-Event-ID ${lastEventId} can no longer be resumed; a fresh snapshot follows`;
      if (!(await hub.send(subscriber, sseFrame("resync", JSON.stringify({ Reason: reason })))))
        return;
    }
    const { version, frame } = await snapshotFrame(filter);
    if (await hub.send(subscriber, frame)) hub.goLive(subscriber, version);
  }

  async function stream(request: FastifyRequest, reply: FastifyReply) {
    const filter: StreamFilter = {
      userId: request.bound.optionalInt("userId"),
      topicId: request.bound.optionalInt("topicId"),
    };
    await serveEventStream(hub, request, reply, filter, "change stream", (subscriber) =>
      start(request, subscriber, filter, lastEventIdOf(request)),
    );
  }

  return [
    route(
      "GET /api/v1/Presence/Stream",
      "PresenceStream",
      "Server-Sent Events: a `snapshot` event (as GetAll), then one `change` event per presence change",
      {
        parameters: [
          query("topicId", "Only users in this topic (before or after the change)"),
          query("userId", "Only this user"),
          {
            name: "Last-Event-ID",
            in: "header",
            description:
              "Resume after this event id without loss (non-admins within the resume window); otherwise `resync` and a fresh `snapshot`",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: { description: "An endless text/event-stream" },
          429: { description: "Too many open streams: the caller's own limit or the server's" },
        },
        handler: stream,
      },
    ),
    route(
      "GET /api/v1/Presence/History",
      "PresenceHistory",
      "Presence changes, oldest first (admins: anyone's; agents: their own, or a topic's they manage)",
      {
        parameters: [
          query("userId", "Only this user"),
          query(
            "topicId",
            "Only users in this topic before or after the change (admins, and the topic's managers)",
          ),
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
            topicId: request.bound.optionalInt("topicId"),
            since: timeParam(request, "since"),
            until: timeParam(request, "until"),
            limit: request.bound.optionalInt("limit"),
          });
          return events.map(({ Version, ...rest }) => ({ Id: Version, ...rest }));
        },
      },
    ),
    route(
      "POST /api/v1/Presence/Heartbeat",
      "PresenceHeartbeat",
      "Renew the caller's presence before its TTL lapses (admins may name a UserId)",
      {
        body: { schema: HEARTBEAT_SCHEMA, required: false, contentTypes: BODY_TYPES },
        responses: { 204: { description: "Renewed" } },
        handler: noContent((request) => {
          const body = readOptionalBody<{ UserId: number }>(request, HEARTBEAT_SCHEMA);
          return presence.heartbeat(request.actor, body?.UserId || undefined);
        }),
      },
    ),
  ];
}
