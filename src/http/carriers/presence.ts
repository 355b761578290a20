/**
 * ChatPresence on the wire for REST and Agents: the schema, reading save entries, and writing
 * lists as JSON or XML with $select. Rendered bytes are cached per presence version, so a
 * GetAll between two changes costs a lookup, not a serialisation; after a change only the
 * changed entries are serialised again.
 */
import { createHash, randomBytes } from "node:crypto";
import { PresenceError } from "../../domain/errors.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import type { PresenceSnapshot } from "../../service/presence.ts";
import type { ResponseFormat } from "../codecs/negotiate.ts";
import { BindError, bind, listItems, type ObjectSchema, propertyOf } from "../codecs/schema.ts";
import { escapeXml, isXmlElement } from "../codecs/xml.ts";

export const CHAT_PRESENCE_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatPresence",
  description: "Presence of one chat user. Only UserId and Present are used when saving.",
  properties: {
    UserId: { type: "integer", format: "int32", description: "The id of the chat user" },
    DisplayName: { type: "string", description: "The display name of the chat user" },
    OngoingChats: {
      type: "integer",
      format: "int32",
      description: "Chats this user has going now",
    },
    Present: { type: "boolean", description: "Whether the user has chat presence turned on" },
    ChatTopics: {
      type: "array",
      items: { type: "integer", format: "int32" },
      description: "Ids of the chat topics this user is a member of",
    },
  },
};

const FIELDS = Object.keys(CHAT_PRESENCE_SCHEMA.properties) as (keyof ChatPresence)[];
const USER_ID_ONLY: ObjectSchema = {
  type: "object",
  properties: { UserId: CHAT_PRESENCE_SCHEMA.properties.UserId },
};

/** Save entries from a raw list; a bad entry is named by its index and (when readable) UserId. */
export function readPresenceUpdates(rawList: unknown, path: string): PresenceUpdate[] {
  const items = rawList === undefined || rawList === null ? null : listItems(rawList);
  if (!items)
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: `${path || "body"}: expected an array of ChatPresence`,
    });
  return items.map((item, index) => {
    try {
      const entry = bind(item, CHAT_PRESENCE_SCHEMA) as unknown as ChatPresence | null;
      if (entry === null) throw new BindError("", "a ChatPresence, not null");
      return { userId: entry.UserId, present: entry.Present };
    } catch (error) {
      if (!(error instanceof BindError)) throw error;
      throw new PresenceError("PRES_ERR_BAD_ENTRY", {
        index,
        userId: readableUserId(item),
        detail: error.within(`${path}[${index}]`).message,
      });
    }
  });
}

/** The entry's UserId as sent, even when it is not a valid one ("abc"); "?" when there is none. */
function readableUserId(item: unknown): string {
  try {
    const bound = bind(item, USER_ID_ONLY) as { UserId: number } | null;
    if (bound) return String(bound.UserId);
  } catch {
    const raw = propertyOf(item, "UserId");
    const text = isXmlElement(raw) ? raw.text.trim() : raw;
    if (typeof text === "string" || typeof text === "number" || typeof text === "boolean")
      return JSON.stringify(text);
  }
  return "?";
}

/** Parses `$select`: known field names, case-insensitive; unknown names are ignored as SuperOffice does. */
export function parseSelect(select: string | undefined): (keyof ChatPresence)[] | null {
  if (select === undefined || select.trim() === "") return null;
  const wanted = new Set(select.split(",").map((s) => s.trim().toLowerCase()));
  return FIELDS.filter((field) => wanted.has(field.toLowerCase()));
}

/** The entry as `$select` shows it: unselected fields nulled out (0/false for numbers and booleans). */
function selector(fields: (keyof ChatPresence)[]): (p: ChatPresence) => ChatPresence {
  const keep = new Set(fields);
  return (p) => ({
    UserId: keep.has("UserId") ? p.UserId : 0,
    DisplayName: keep.has("DisplayName") ? p.DisplayName : null,
    OngoingChats: keep.has("OngoingChats") ? p.OngoingChats : 0,
    Present: keep.has("Present") ? p.Present : false,
    ChatTopics: keep.has("ChatTopics") ? p.ChatTopics : null,
  });
}

const DATA_CONTRACT_NS = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services";
const ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

function presenceXml(p: ChatPresence): string {
  const name =
    p.DisplayName === null
      ? '<DisplayName i:nil="true"/>'
      : `<DisplayName>${escapeXml(p.DisplayName)}</DisplayName>`;
  const topics =
    p.ChatTopics === null
      ? '<ChatTopics i:nil="true"/>'
      : `<ChatTopics xmlns:a="${ARRAYS_NS}">${p.ChatTopics.map((t) => `<a:int>${t}</a:int>`).join("")}</ChatTopics>`;
  return `<ChatPresence><UserId>${p.UserId}</UserId>${name}<OngoingChats>${p.OngoingChats}</OngoingChats><Present>${p.Present}</Present>${topics}</ChatPresence>`;
}

const XML_PREFIX = `<?xml version="1.0" encoding="utf-8"?><ArrayOfChatPresence xmlns="${DATA_CONTRACT_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">`;
const XML_SUFFIX = "</ArrayOfChatPresence>";

export function presenceListXml(list: readonly ChatPresence[]): string {
  return `${XML_PREFIX}${list.map(presenceXml).join("")}${XML_SUFFIX}`;
}

export interface RenderedPresence {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** How a list is written: each entry's text in order, between a prefix and a suffix. */
interface Layout {
  prefix: string;
  separator: string;
  suffix: string;
  item(p: ChatPresence): string;
}

function layoutOf(format: ResponseFormat, select: (keyof ChatPresence)[] | null): Layout {
  const pick = select ? selector(select) : (p: ChatPresence) => p;
  return format.format === "xml"
    ? { prefix: XML_PREFIX, separator: "", suffix: XML_SUFFIX, item: (p) => presenceXml(pick(p)) }
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
  rendered: RenderedPresence;
}

/**
 * Renders presence lists, keeping the latest rendering of each kind (content type and $select;
 * the few used most recently). Between two changes an answer costs a lookup; after a change the
 * new version is patched from the last one, so a list of 100,000 users with a few changed costs
 * a copy of its bytes, not a serialisation of every entry.
 */
export class PresenceRenderer {
  private readonly documents = new Map<string, Cached>();
  /** Part of every ETag, so a restarted server (whose versions start over) never matches an old one. */
  private readonly epoch = randomBytes(4).toString("hex");

  /** `keep`: how many kinds of rendering to hold on to. */
  constructor(private readonly keep = 4) {}

  render(
    snapshot: PresenceSnapshot,
    format: ResponseFormat,
    select: (keyof ChatPresence)[] | null,
  ): RenderedPresence {
    const key = `${format.contentType}|${select?.join(",") ?? "*"}`;
    let cached = this.documents.get(key);
    this.documents.delete(key); // re-inserted below: most recently used last
    if (cached?.version !== snapshot.version) {
      const layout = layoutOf(format, select);
      const document =
        (cached && renderPatched(cached, snapshot.presence, layout)) ??
        renderWhole(snapshot.presence, layout);
      const digest = createHash("sha1").update(key).digest("base64url").slice(0, 8);
      cached = {
        ...document,
        version: snapshot.version,
        rendered: {
          body: document.body,
          contentType: format.contentType,
          etag: `"${this.epoch}-${snapshot.version}-${digest}"`,
        },
      };
    }
    this.documents.set(key, cached);
    for (const stale of this.documents.keys()) {
      if (this.documents.size <= this.keep) break;
      this.documents.delete(stale);
    }
    return cached.rendered;
  }
}
