/**
 * ChatMessage on the wire: its schema (binding and /openapi.json), a stored message as a
 * carrier, and a posted carrier as the service's MessageInput. Id, ChatSessionId and
 * WhenPosted are the server's: a body's values for them are not read.
 */
import {
  type ChatMessageRecord,
  MESSAGE_TYPES,
  type MessageInput,
  parseMessageType,
  parseSpecialType,
  SPECIAL_TYPES,
} from "../../domain/message.ts";
import { bindOrThrow } from "../codecs/body.ts";
import type { ObjectSchema, Schema } from "../codecs/schema.ts";

const int = (description: string): Schema => ({ type: "integer", format: "int32", description });
const text = (description: string): Schema => ({ type: "string", description });

const TYPE: Schema = {
  type: "string",
  enum: MESSAGE_TYPES,
  description:
    "ToCustomer (an agent to the customer), ToUser (the customer to the agent) or Special (a notice); by name or number",
};
const SPECIAL_TYPE: Schema = {
  type: "string",
  enum: SPECIAL_TYPES,
  description: "What a Special message is (Welcome, Url, ClosedByUser …); None otherwise",
};

export const MESSAGE_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatMessage",
  description: "A message in a chat session",
  properties: {
    ChatMessageId: int(
      "The primary key, set by the server; ids grow in the order messages are stored",
    ),
    ChatSessionId: int("The chat session; the one the route names (a body's value is not read)"),
    Type: TYPE,
    Message: text("The text; ToCustomer and ToUser need some"),
    Author: text("Who wrote it; empty: the agent's display name, or the customer's name"),
    ReadByCustomer: int("0 (not read) or 1 (read)"),
    SpecialType: SPECIAL_TYPE,
    SpecialParam: text("The Special message's parameter (a Url message's address …)"),
    WhenPosted: {
      type: "string",
      format: "date-time",
      description: "When it was stored (UTC), set by the server",
    },
  },
};

export const MESSAGE_LIST: Schema = { type: "array", items: MESSAGE_SCHEMA };

/** The transcript is a string carrier, as the contract says: a JSON string, or XML `<string>`. */
export const TRANSCRIPT_SCHEMA: Schema = {
  type: "string",
  description: "The whole conversation, one message per line (text) or per <p> (HTML)",
};

/** What a posted ChatMessage is bound with: only the fields a client gives. */
const POSTED_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatMessage",
  properties: {
    Type: TYPE,
    Message: MESSAGE_SCHEMA.properties.Message,
    Author: MESSAGE_SCHEMA.properties.Author,
    ReadByCustomer: MESSAGE_SCHEMA.properties.ReadByCustomer,
    SpecialType: SPECIAL_TYPE,
    SpecialParam: MESSAGE_SCHEMA.properties.SpecialParam,
  },
};

export function messageCarrier(message: ChatMessageRecord): Record<string, unknown> {
  return {
    ChatMessageId: message.id,
    ChatSessionId: message.sessionId,
    Type: message.type,
    Message: message.message,
    Author: message.author,
    ReadByCustomer: message.readByCustomer,
    SpecialType: message.specialType,
    SpecialParam: message.specialParam,
    WhenPosted: new Date(message.whenPosted).toISOString(),
  };
}

/**
 * A posted ChatMessage as the service's input. A missing Type is .NET's default, Invalid, and
 * is refused like it (400 PRES_ERR_BAD_MESSAGE naming Type); the service checks the rest.
 */
export function readMessage(raw: unknown, at = ""): MessageInput {
  const bound = bindOrThrow(raw, POSTED_SCHEMA, at) as Record<string, string | number | null>;
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const specialType = bound.SpecialType;
  return {
    type: parseMessageType(field("Type"), bound.Type ?? "Invalid"),
    message: (bound.Message as string | null) ?? "",
    author: (bound.Author as string | null) ?? "",
    readByCustomer: bound.ReadByCustomer as number,
    specialType:
      specialType === null || specialType === ""
        ? "None"
        : parseSpecialType(field("SpecialType"), specialType),
    specialParam: (bound.SpecialParam as string | null) ?? "",
  };
}
