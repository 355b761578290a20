/**
 * Chat messages as the contract's ChatMessage carrier defines them, and the rules a new message
 * follows: what it must look like, and what it does to its session (status, FirstMessage,
 * LastMessage). Pure: the store applies the effect in the same transaction as the insert.
 */
import { type Localized, localized, PresenceError } from "./errors.ts";
import { ONGOING_STATUSES, SESSION_STATUSES, type SessionStatus } from "./model.ts";
import type { ChatSessionRecord } from "./session.ts";

/** ChatMessageType, in contract order (the index is the enum value). */
export const MESSAGE_TYPES = ["Invalid", "ToCustomer", "ToUser", "Special"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** ChatMessageSpecialType, in contract order (the spelling "Transfered" is the contract's). */
export const SPECIAL_TYPES = [
  "None",
  "Welcome",
  "Url",
  "Block",
  "NewSession",
  "TransferedSession",
  "Error",
  "SessionDeleted",
  "FaqSuccessQuestion",
  "ClosedByUser",
  "ClosedByCustomer",
  "ClosedByIdle",
  "TransferRejected",
  "ReopenedByCustomer",
  "ClickedOption",
  "BotMessage",
  "Options",
  "IllegalFileType",
] as const;
export type SpecialType = (typeof SPECIAL_TYPES)[number];

export interface ChatMessageRecord {
  id: number;
  sessionId: number;
  type: MessageType;
  message: string;
  author: string;
  /** A short in the contract; 0 (not read) or 1 (read) here. */
  readByCustomer: number;
  specialType: SpecialType;
  specialParam: string;
  /** Milliseconds since the epoch, set by the server. */
  whenPosted: number;
}

/** What a client gives; Id, ChatSessionId and WhenPosted are the server's. */
export interface MessageInput {
  type: MessageType;
  message?: string;
  author?: string;
  readByCustomer?: number;
  specialType?: SpecialType;
  specialParam?: string;
}

export type NewMessage = Omit<ChatMessageRecord, "id">;

export interface MessageLimits {
  /** Longest Message, in UTF-16 code units (Author and SpecialParam: see FIELD_LIMITS). */
  maxLength: number;
  /** Most messages one session may hold; a post beyond is refused. */
  perSession: number;
  /** Most messages in one GetChatMessages answer; the rest is paged with `after`. */
  pageSize: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxLength: 4000,
  perSession: 5000,
  pageSize: 1000,
};

/** The limits given, the defaults for the rest (an undefined value is not given). */
export function messageLimits(given: Partial<MessageLimits> = {}): MessageLimits {
  const { maxLength, perSession, pageSize } = DEFAULT_MESSAGE_LIMITS;
  return {
    maxLength: given.maxLength ?? maxLength,
    perSession: given.perSession ?? perSession,
    pageSize: given.pageSize ?? pageSize,
  };
}

/** Author and SpecialParam are labels and parameters, not text: a fixed bound is enough. */
const FIELD_LIMITS = { author: 200, specialParam: 2000 } as const;

/** C0 controls other than tab, LF and CR (PostgreSQL text cannot even hold U+0000). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function parseEnum<T extends string>(value: string | number, names: readonly T[]): T | undefined {
  const byIndex = typeof value === "number" || /^\d+$/.test(value.trim());
  return byIndex
    ? names[Number(value)]
    : names.find((n) => n.toLowerCase() === String(value).trim().toLowerCase());
}

const notAType = (value: unknown) =>
  localized(
    `${value} is not one of ToCustomer, ToUser, Special`,
    `${value} er ikke en av ToCustomer, ToUser, Special`,
  );

const notASpecialType = (value: unknown) =>
  localized(
    `${value} is not a ChatMessageSpecialType`,
    `${value} er ikke en ChatMessageSpecialType`,
  );

function badField(field: string, detail: Localized): PresenceError {
  return new PresenceError("PRES_ERR_BAD_MESSAGE", { field, detail });
}

/** Reads a ChatMessageType name (case-insensitive) or index; Invalid is refused. */
export function parseMessageType(field: string, value: string | number): MessageType {
  const found = parseEnum(value, MESSAGE_TYPES);
  if (!found || found === "Invalid") {
    throw badField(field, notAType(value));
  }
  return found;
}

/** Reads a ChatMessageSpecialType name (case-insensitive) or index. */
export function parseSpecialType(field: string, value: string | number): SpecialType {
  const found = parseEnum(value, SPECIAL_TYPES);
  if (!found) throw badField(field, notASpecialType(value));
  return found;
}

function checkText(field: string, value: string, max: number): string {
  if (value.length > max)
    throw badField(field, localized(`longer than ${max} characters`, `lengre enn ${max} tegn`));
  if (CONTROL.test(value))
    throw badField(field, localized("contains a control character", "inneholder et kontrolltegn"));
  return value;
}

/**
 * A message checked and completed for storing. A conversation message (ToCustomer, ToUser)
 * needs text; a Special one may be empty (SessionDeleted, ClosedByIdle carry none).
 */
export function newMessage(
  sessionId: number,
  input: MessageInput,
  limits: MessageLimits,
  defaultAuthor: string,
  now: number,
): NewMessage {
  if (!MESSAGE_TYPES.includes(input.type) || input.type === "Invalid") {
    throw badField("Type", notAType(input.type));
  }
  const specialType = input.specialType ?? "None";
  if (!SPECIAL_TYPES.includes(specialType)) {
    throw badField("SpecialType", notASpecialType(specialType));
  }
  const message = checkText("Message", input.message ?? "", limits.maxLength);
  if (input.type !== "Special" && message.trim() === "")
    throw badField("Message", localized("empty", "tom"));
  const readByCustomer = input.readByCustomer ?? 0;
  if (readByCustomer !== 0 && readByCustomer !== 1)
    throw badField("ReadByCustomer", localized("not 0 or 1", "verken 0 eller 1"));
  const author = checkText("Author", (input.author ?? "").trim(), FIELD_LIMITS.author);
  return {
    sessionId,
    type: input.type,
    message,
    author: author || defaultAuthor,
    readByCustomer,
    specialType,
    specialParam: checkText("SpecialParam", input.specialParam ?? "", FIELD_LIMITS.specialParam),
    whenPosted: now,
  };
}

/**
 * What storing a message does to its session, applied only while the session's status is
 * still one of `statusIn` (the class of statuses with this same effect), so a status change
 * racing the post makes the caller re-read and decide again instead of undoing it.
 */
export interface MessageEffect {
  statusIn: readonly SessionStatus[];
  status?: SessionStatus;
  /** Becomes FirstMessage only while FirstMessage is still empty (decided in the same write). */
  firstMessage?: string;
  lastMessage?: string;
  /** The session's WhenIdle: when the conversation last moved. */
  whenIdle?: number;
}

/** Statuses in which the conversation is over: no more ToCustomer or ToUser messages. */
export const CLOSED_STATUSES: readonly SessionStatus[] = [
  "Invalid",
  "Finished",
  "Closed",
  "ClosedFromQueue",
  "Deleted",
];

/** Not ongoing and not over: a form, the FAQ, the queue, an offline request. */
const WAITING_STATUSES = SESSION_STATUSES.filter(
  (s) => !ONGOING_STATUSES.includes(s) && !CLOSED_STATUSES.includes(s),
);

/**
 * An ongoing chat moves to UserLast on the agent's message to the customer and to
 * CustomerLast on the customer's; any other session keeps its status (a queued one stays
 * queued until picked up). A closed session takes no conversation messages (409). Special
 * messages are notices (welcome, transfer, closed-by): they never change the status, are
 * accepted in any status, and are not copied to FirstMessage or LastMessage (nor move WhenIdle).
 */
export function messageEffect(session: ChatSessionRecord, message: NewMessage): MessageEffect {
  if (message.type === "Special") return { statusIn: SESSION_STATUSES };
  if (CLOSED_STATUSES.includes(session.status)) {
    throw new PresenceError("PRES_ERR_SESSION_CLOSED", {
      sessionId: session.id,
      status: session.status,
    });
  }
  const copies = {
    firstMessage: message.message,
    lastMessage: message.message,
    whenIdle: message.whenPosted,
  };
  if (!ONGOING_STATUSES.includes(session.status)) return { statusIn: WAITING_STATUSES, ...copies };
  const status = message.type === "ToCustomer" ? "UserLast" : "CustomerLast";
  return { statusIn: ONGOING_STATUSES, status, ...copies };
}
