/**
 * Presence lists rendered once per presence version and kind: a GetAll between two changes
 * costs a lookup, not a serialisation; after a change only the changed entries are written
 * again. REST and Agents render JSON or ArrayOfChatPresence XML (with `$select`) through it,
 * SOAP its GetChatPresence response.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ChatPresence } from "../../domain/presence.ts";
import type { PresenceService, PresenceSnapshot } from "../../service/presence.ts";
import { negotiate, type ResponseFormat } from "../codecs/negotiate.ts";
import type { ResponseSpec } from "../route.ts";
import {
  ARRAY_XML_PREFIX,
  ARRAY_XML_SUFFIX,
  chatPresenceXml,
  PRESENCE_LIST,
  PRESENCE_TYPES,
  REST_XML,
  selector,
} from "./presence.ts";

export interface RenderedPresence {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** How a list is written: each entry's text in order, between a prefix and a suffix. */
export interface Layout {
  prefix: string;
  separator: string;
  suffix: string;
  item(p: ChatPresence): string;
}

function layoutOf(format: ResponseFormat, select: (keyof ChatPresence)[] | null): Layout {
  const pick = select ? selector(select) : (p: ChatPresence) => p;
  return format.format === "xml"
    ? {
        prefix: ARRAY_XML_PREFIX,
        separator: "",
        suffix: ARRAY_XML_SUFFIX,
        item: (p) => chatPresenceXml(pick(p), REST_XML),
      }
    : { prefix: "[", separator: ",", suffix: "]", item: (p) => JSON.stringify(pick(p)) };
}

/**
 * A rendered list, and where each entry's bytes are in it: entry i is body[starts[i], ends[i]).
 * `list` is a copy of the entries rendered (the service may replace entries in its array).
 */
interface Document {
  list: readonly ChatPresence[];
  body: Buffer;
  starts: Uint32Array;
  ends: Uint32Array;
}

function renderWhole(list: readonly ChatPresence[], layout: Layout): Document {
  const items = list.map(layout.item);
  const text = layout.prefix + items.join(layout.separator) + layout.suffix;
  const body = Buffer.from(text);
  // All ASCII (the usual case): byte offsets are character offsets.
  const ascii = body.length === text.length;
  const separator = Buffer.byteLength(layout.separator);
  const starts = new Uint32Array(list.length);
  const ends = new Uint32Array(list.length);
  let at = Buffer.byteLength(layout.prefix);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) at += separator;
    starts[i] = at;
    at += ascii ? items[i].length : Buffer.byteLength(items[i]);
    ends[i] = at;
  }
  return { list: list.slice(), body, starts, ends };
}

/**
 * The next version of a document from the one before: only the entries that are other objects
 * than before (the presence service replaces exactly the entries that changed) are rendered again, and the
 * bytes between them are copied. null when users were added, removed or reordered, or when so
 * many changed that rendering the whole list is as cheap.
 */
function renderPatched(before: Document, list: readonly ChatPresence[], layout: Layout) {
  if (list.length !== before.list.length) return null;
  const changed: number[] = [];
  for (let i = 0; i < list.length; i++) {
    if (list[i] === before.list[i]) continue;
    if (list[i].UserId !== before.list[i].UserId || changed.length >= list.length / 4) return null;
    changed.push(i);
  }
  const items = changed.map((i) => Buffer.from(layout.item(list[i])));
  let size = before.body.length;
  changed.forEach((i, c) => {
    size += items[c].length - (before.ends[i] - before.starts[i]);
  });
  const body = Buffer.allocUnsafe(size);
  let read = 0;
  let written = 0;
  changed.forEach((i, c) => {
    written += before.body.copy(body, written, read, before.starts[i]);
    written += items[c].copy(body, written);
    read = before.ends[i];
  });
  written += before.body.copy(body, written, read);
  if (written !== size) return null;
  const starts = new Uint32Array(list.length);
  const ends = new Uint32Array(list.length);
  let shift = 0;
  for (let i = 0, c = 0; i < list.length; i++) {
    starts[i] = before.starts[i] + shift;
    if (changed[c] === i) shift += items[c++].length - (before.ends[i] - before.starts[i]);
    ends[i] = before.ends[i] + shift;
  }
  return { list: list.slice(), body, starts, ends };
}

interface Cached extends Document {
  version: number;
  rendered?: RenderedPresence;
}

/**
 * Renders presence lists, keeping the latest rendering of each kind (REST: content type and
 * $select; SOAP: its vocabulary; the few used most recently). After a change the new version is
 * patched from the last one, so a list of 100,000 users with a few changed costs a copy of its
 * bytes, not a serialisation of every entry.
 */
export class PresenceRenderer {
  private readonly documents = new Map<string, Cached>();
  /** Part of every ETag, so a restarted server (whose versions start over) never matches an old one. */
  private readonly epoch = randomBytes(4).toString("hex");

  /** `keep`: how many kinds of rendering to hold on to. */
  constructor(private readonly keep = 4) {}

  /** A REST or Agents list in the negotiated format, with its ETag. */
  render(
    snapshot: PresenceSnapshot,
    format: ResponseFormat,
    select: (keyof ChatPresence)[] | null,
  ): RenderedPresence {
    const key = `${format.contentType}|${select?.join(",") ?? "*"}`;
    const cached = this.latest(snapshot, key, () => layoutOf(format, select));
    if (!cached.rendered) {
      const digest = createHash("sha1").update(key).digest("base64url").slice(0, 8);
      cached.rendered = {
        body: cached.body,
        contentType: format.contentType,
        etag: `"${this.epoch}-${snapshot.version}-${digest}"`,
      };
    }
    return cached.rendered;
  }

  /** The list written in `layout` (made only when this version is not rendered yet), by `key`. */
  bytes(snapshot: PresenceSnapshot, key: string, layout: () => Layout): Buffer {
    return this.latest(snapshot, key, layout).body;
  }

  private latest(snapshot: PresenceSnapshot, key: string, layout: () => Layout): Cached {
    let cached = this.documents.get(key);
    this.documents.delete(key); // re-inserted below: most recently used last
    if (cached?.version !== snapshot.version) {
      const written = layout();
      const document =
        (cached && renderPatched(cached, snapshot.presence, written)) ??
        renderWhole(snapshot.presence, written);
      cached = { ...document, version: snapshot.version };
    }
    this.documents.set(key, cached);
    for (const stale of this.documents.keys()) {
      if (this.documents.size <= this.keep) break;
      this.documents.delete(stale);
    }
    return cached;
  }
}

/**
 * Sends the presence list as the request's Accept asks, after `select`, with the ETag of its
 * rendering; 304 when If-None-Match already names it.
 */
export function sendPresenceList(
  request: FastifyRequest,
  reply: FastifyReply,
  rendered: (format: ResponseFormat) => RenderedPresence,
) {
  const { body, contentType, etag } = rendered(negotiate(request.headers.accept));
  reply.header("etag", etag).header("cache-control", "no-cache").header("vary", "Accept");
  if (request.headers["if-none-match"] === etag) return reply.code(304).send();
  return reply.type(contentType).send(body);
}

/** The 200 of every route that answers with the presence list. */
export const PRESENCE_LIST_OK: ResponseSpec = {
  description: "OK",
  schema: PRESENCE_LIST,
  contentTypes: PRESENCE_TYPES,
};

/**
 * The handler of every route that answers with the presence list (REST GetAll, Agents
 * GetChatPresence): each user's presence, with the fields `selectOf` reads from the request.
 */
export function presenceListHandler(
  presence: PresenceService,
  renderer: PresenceRenderer,
  selectOf: (request: FastifyRequest) => (keyof ChatPresence)[] | null,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const snapshot = await presence.getAll();
    const select = selectOf(request);
    return sendPresenceList(request, reply, (format) => renderer.render(snapshot, format, select));
  };
}
