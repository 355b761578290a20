/**
 * ChatMessage on the wire: its schema, a stored message as a carrier, and a posted carrier as
 * the service's MessageInput. ChatMessageId, ChatSessionId and WhenPosted are the server's:
 * a posted carrier's values for them are ignored.
 */
import { PresenceError, verbatim } from "../../domain/errors.ts";
import {
  type ChatMessageRecord,
  type MessageInput,
  parseMessageType,
  parseSpecialType,
} from "../../domain/message.ts";
import { bindOrThrow } from "../codecs/body.ts";
import type { ObjectSchema, Schema } from "../codecs/schema.ts";

const int = (description: string): Schema => ({ type: "integer", format: "int32", description });
const text = (description: string): Schema => ({ type: "string", description });

export const MESSAGE_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatMessage",
  properties: {
    ChatMessageId: int("The message id, set by the server; GetChatMessages pages after it"),
    ChatSessionId: int("The chat session, set by the server"),
    Type: text("ToCustomer (from the agent), ToUser (from the customer) or Special (a notice)"),
    Message: text("The text"),
    Author: text("Who wrote it; empty takes the agent's or the customer's name"),
    ReadByCustomer: int("0 or 1"),
    SpecialType: text("For Special messages: None, Welcome, Url, … (ChatMessageSpecialType)"),
    SpecialParam: text("The special type's parameter"),
    WhenPosted: text("When it was posted (date-time), set by the server"),
  },
};

export const MESSAGE_LIST: Schema = { type: "array", items: MESSAGE_SCHEMA };

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

interface BoundMessage {
  Type: string | null;
  Message: string | null;
  Author: string | null;
  ReadByCustomer: number;
  SpecialType: string | null;
  SpecialParam: string | null;
}

/**
 * A posted ChatMessage at `path`. A missing Type is .NET's default, Invalid, and is refused
 * like it (PRES_ERR_BAD_MESSAGE naming Type); the service checks the rest.
 */
export function readMessage(raw: unknown, path: string): MessageInput {
  const bound = bindOrThrow(raw ?? null, MESSAGE_SCHEMA, path) as BoundMessage | null;
  if (!bound) {
    throw new PresenceError("PRES_ERR_BAD_BODY", { detail: verbatim(`${path}: a ChatMessage`) });
  }
  const special = bound.SpecialType?.trim();
  return {
    type: parseMessageType(`${path}.Type`, bound.Type?.trim() || "Invalid"),
    message: bound.Message ?? "",
    author: bound.Author ?? "",
    readByCustomer: bound.ReadByCustomer,
    specialType: special ? parseSpecialType(`${path}.SpecialType`, special) : "None",
    specialParam: bound.SpecialParam ?? "",
  };
}
