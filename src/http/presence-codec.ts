/**
 * ChatPresence on the wire for REST and Agents: the schema, reading save entries, and writing
 * lists as JSON or XML with $select. Rendered bytes are cached per presence version, so a
 * GetAll between two changes costs a lookup, not a serialisation.
 */
import { createHash, randomBytes } from "node:crypto";
import { PresenceError } from "../domain/errors.ts";
import type { ChatPresence, PresenceUpdate } from "../domain/presence.ts";
import type { PresenceSnapshot } from "../service/presence.ts";
import type { ResponseFormat } from "./codecs/negotiate.ts";
import { BindError, bind, listItems, type ObjectSchema, propertyOf } from "./codecs/schema.ts";
import { escapeXml, isXmlElement } from "./codecs/xml.ts";

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
      const at = `${path}[${index}]`;
      const entry = bind(item, CHAT_PRESENCE_SCHEMA, at) as unknown as ChatPresence | null;
      if (entry === null) throw new BindError(at, "a ChatPresence, not null");
      return { userId: entry.UserId, present: entry.Present };
    } catch (error) {
      if (!(error instanceof BindError)) throw error;
      throw new PresenceError("PRES_ERR_BAD_ENTRY", {
        index,
        userId: readableUserId(item),
        detail: error.message,
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

function applySelect(
  list: readonly ChatPresence[],
  fields: (keyof ChatPresence)[],
): ChatPresence[] {
  const keep = new Set(fields);
  return list.map((p) => ({
    UserId: keep.has("UserId") ? p.UserId : 0,
    DisplayName: keep.has("DisplayName") ? p.DisplayName : null,
    OngoingChats: keep.has("OngoingChats") ? p.OngoingChats : 0,
    Present: keep.has("Present") ? p.Present : false,
    ChatTopics: keep.has("ChatTopics") ? p.ChatTopics : null,
  }));
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

export function presenceListXml(list: readonly ChatPresence[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><ArrayOfChatPresence xmlns="${DATA_CONTRACT_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${list.map(presenceXml).join("")}</ArrayOfChatPresence>`;
}

export interface RenderedPresence {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** Caches rendered bodies for the current presence version only; a new version drops them all. */
export class PresenceRenderer {
  private version = -1;
  private readonly cache = new Map<string, RenderedPresence>();
  /** Part of every ETag, so a restarted server (whose versions start over) never matches an old one. */
  private readonly epoch = randomBytes(4).toString("hex");

  render(
    snapshot: PresenceSnapshot,
    format: ResponseFormat,
    select: (keyof ChatPresence)[] | null,
  ): RenderedPresence {
    if (snapshot.version !== this.version) {
      this.cache.clear();
      this.version = snapshot.version;
    }
    const key = `${format.contentType}|${select?.join(",") ?? "*"}`;
    let rendered = this.cache.get(key);
    if (!rendered) {
      const list = select ? applySelect(snapshot.presence, select) : snapshot.presence;
      const text = format.format === "xml" ? presenceListXml(list) : JSON.stringify(list);
      const digest = createHash("sha1").update(key).digest("base64url").slice(0, 8);
      rendered = {
        body: Buffer.from(text),
        contentType: format.contentType,
        etag: `"${this.epoch}-${snapshot.version}-${digest}"`,
      };
      this.cache.set(key, rendered);
    }
    return rendered;
  }
}
