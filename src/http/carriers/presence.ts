/**
 * ChatPresence on the wire: the schema, reading save entries (REST, Agents and SOAP), `$select`,
 * and the one DataContract XML writer of an entry, which REST's ArrayOfChatPresence and SOAP's
 * GetChatPresence response both use (presence-renderer.ts caches what they render).
 */
import { PresenceError } from "../../domain/errors.ts";
import type { ChatPresence, PresenceUpdate } from "../../domain/presence.ts";
import { ARRAYS_NS, DATA_CONTRACT_NS, INSTANCE_NS } from "../codecs/namespaces.ts";
import {
  BindError,
  bind,
  listItems,
  type ObjectSchema,
  propertyOf,
  type Schema,
} from "../codecs/schema.ts";
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

/** The list of GetAll and GetChatPresence, and the body of SaveAll. */
export const PRESENCE_LIST: Schema = { type: "array", items: CHAT_PRESENCE_SCHEMA };
/** What a presence list is offered in. */
export const PRESENCE_TYPES = ["application/json", "text/json", "application/xml", "text/xml"];

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
export function selector(fields: (keyof ChatPresence)[]): (p: ChatPresence) => ChatPresence {
  const keep = new Set(fields);
  return (p) => ({
    UserId: keep.has("UserId") ? p.UserId : 0,
    DisplayName: keep.has("DisplayName") ? p.DisplayName : null,
    OngoingChats: keep.has("OngoingChats") ? p.OngoingChats : 0,
    Present: keep.has("Present") ? p.Present : false,
    ChatTopics: keep.has("ChatTopics") ? p.ChatTopics : null,
  });
}

/**
 * How entries are written in their document: the prefix the XML Schema instance namespace has
 * there (for nil), and what ChatTopics declares (nothing when `a:` is declared above it).
 */
export interface PresenceXmlStyle {
  nil: string;
  topicsXmlns: string;
}

/** REST's ArrayOfChatPresence: `i:nil`, and each ChatTopics declares the Arrays namespace. */
export const REST_XML: PresenceXmlStyle = { nil: "i", topicsXmlns: ` xmlns:a="${ARRAYS_NS}"` };

/** One ChatPresence as DataContract XML (UserId, DisplayName, OngoingChats, Present, ChatTopics). */
export function chatPresenceXml(p: ChatPresence, style: PresenceXmlStyle): string {
  const name =
    p.DisplayName === null
      ? `<DisplayName ${style.nil}:nil="true"/>`
      : `<DisplayName>${escapeXml(p.DisplayName)}</DisplayName>`;
  const topics =
    p.ChatTopics === null
      ? `<ChatTopics ${style.nil}:nil="true"/>`
      : `<ChatTopics${style.topicsXmlns}>${p.ChatTopics.map((t) => `<a:int>${t}</a:int>`).join("")}</ChatTopics>`;
  return `<ChatPresence><UserId>${p.UserId}</UserId>${name}<OngoingChats>${p.OngoingChats}</OngoingChats><Present>${p.Present}</Present>${topics}</ChatPresence>`;
}

export const ARRAY_XML_PREFIX = `<?xml version="1.0" encoding="utf-8"?><ArrayOfChatPresence xmlns="${DATA_CONTRACT_NS}" xmlns:i="${INSTANCE_NS}">`;
export const ARRAY_XML_SUFFIX = "</ArrayOfChatPresence>";

/** A whole list as REST's ArrayOfChatPresence document. */
export function presenceListXml(list: readonly ChatPresence[]): string {
  return `${ARRAY_XML_PREFIX}${list.map((p) => chatPresenceXml(p, REST_XML)).join("")}${ARRAY_XML_SUFFIX}`;
}
