/**
 * ChatSessionEntity on the wire: its schema, a stored session as a carrier, and a saved
 * carrier as a new session or an edit. CRM links (Person, Contact, Project, Sale, Ticket) are
 * not kept by this server: they are always null and ignored when saved.
 */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { SessionStatus } from "../../domain/model.ts";
import {
  type ChatSessionRecord,
  type CustomerInfo,
  parseStatus,
  type SessionEdit,
} from "../../domain/session.ts";
import type { SessionInput } from "../../service/session-input.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { type ObjectSchema, propertyOf, type Schema } from "../codecs/schema.ts";
import { ASSOCIATE_SCHEMA, associateOf } from "./associate.ts";
import { withSelfLink } from "./render.ts";

const int = (description = ""): Schema => ({ type: "integer", format: "int32", description });
const text = (description = ""): Schema => ({ type: "string", description });
const bool = (description = ""): Schema => ({ type: "boolean", description });
const unsupported = (title: string): Schema => ({
  type: "object",
  properties: {},
  description: `${title}: not kept by this server, always null`,
});

const SESSION_PROPERTIES: Record<string, Schema> = {
  ChatSessionId: int("The primary key; 0 (or absent) when creating"),
  TopicId: int("The chat topic; cannot change once created"),
  User: { ...ASSOCIATE_SCHEMA, description: "The user answering the chat; null in the queue" },
  Person: unsupported("Person"),
  CustomerAlias: text(),
  CustomerHost: text(),
  CustomerName: text(),
  CustomerEmail: text(),
  CustomerPhone: text(),
  CustomerConsented: bool(),
  CustomerCompanyName: text(),
  Status: text(
    "Invalid, PreChatForm, Faq, OfflineForm, InQueue, CustomerLast, UserLast, Finished, Deleted, Closed, RequestPosted or ClosedFromQueue",
  ),
  FirstMessage: text(),
  LastMessage: text(),
  WhenRequested: text("When the customer asked (date-time); set by the server"),
  WhenStarted: text("When it was picked up (date-time); set by the server"),
  WhenEnded: text("When it finished (date-time); set by the server"),
  WhenIdle: text(
    "When the conversation last moved (date-time): the latest ToCustomer or ToUser message; set by the server",
  ),
  WhenFetched: text("Always null here"),
  SessionKey: text("Always empty here"),
  InitialQueuePos: int("Sessions waiting in the topic when this one arrived, itself included"),
  AlertLevel: int("Always 0 here"),
  Rank: int("Always 0 here"),
  Flags: text("Always null here"),
  Contact: unsupported("Contact"),
  Project: unsupported("Project"),
  Sale: unsupported("Sale"),
  Ticket: unsupported("Ticket"),
  TransferTo: {
    ...ASSOCIATE_SCHEMA,
    description: "The user a transfer is waiting for; change it with TransferTo, not by saving",
  },
  ChatbotIsActive: bool(),
  Rating: int(),
};

export const SESSION_SCHEMA: ObjectSchema = {
  type: "object",
  title: "ChatSessionEntity",
  properties: SESSION_PROPERTIES,
};
export const SESSION_LIST: Schema = { type: "array", items: SESSION_SCHEMA };
export const SESSION_WITH_LINKS: ObjectSchema = {
  type: "object",
  title: "ChatSessionEntityWithLinks",
  properties: {
    ...SESSION_PROPERTIES,
    _Links: { type: "object", title: "Links", properties: { Self: text("This entity's URL") } },
  },
};

const date = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function sessionCarrier(session: ChatSessionRecord): Record<string, unknown> {
  const c = session.customer;
  return {
    ChatSessionId: session.id,
    TopicId: session.topicId,
    User: associateOf(session.user),
    Person: null,
    CustomerAlias: c.alias,
    CustomerHost: c.host,
    CustomerName: c.name,
    CustomerEmail: c.email,
    CustomerPhone: c.phone,
    CustomerConsented: c.consented,
    CustomerCompanyName: c.companyName,
    Status: session.status,
    FirstMessage: session.firstMessage,
    LastMessage: session.lastMessage,
    WhenRequested: date(session.whenRequested),
    WhenStarted: date(session.whenStarted),
    WhenEnded: date(session.whenEnded),
    WhenIdle: date(session.whenIdle),
    WhenFetched: null,
    SessionKey: "",
    InitialQueuePos: session.initialQueuePos,
    AlertLevel: 0,
    Rank: 0,
    Flags: null,
    Contact: null,
    Project: null,
    Sale: null,
    Ticket: null,
    TransferTo: associateOf(session.transferTo),
    ChatbotIsActive: session.chatbotIsActive,
    Rating: session.rating,
  };
}

/** The entity with its own URL, under the site's base path. */
export function sessionWithLinks(
  session: ChatSessionRecord,
  request: FastifyRequest,
): Record<string, unknown> {
  return withSelfLink(sessionCarrier(session), request, `/api/v1/ChatSession/${session.id}`);
}

/** A saved ChatSessionEntity: what it says, and which top-level properties it carried. */
export interface SavedSession {
  id: number;
  topicId: number;
  /** Properties absent from the body are undefined: they keep their stored values. */
  edit: SessionEdit;
}

const CUSTOMER_FIELDS: [keyof CustomerInfo, string][] = [
  ["alias", "CustomerAlias"],
  ["name", "CustomerName"],
  ["email", "CustomerEmail"],
  ["phone", "CustomerPhone"],
  ["companyName", "CustomerCompanyName"],
  ["host", "CustomerHost"],
  ["consented", "CustomerConsented"],
];

/** Reads a saved entity: only the properties it carries go into the edit. */
export function readSession(raw: unknown): SavedSession {
  const bound = bindOrThrow(raw, SESSION_SCHEMA) as Record<string, unknown>;
  const given = (name: string) => propertyOf(raw, name) !== undefined;
  const str = (name: string) => (given(name) ? ((bound[name] as string | null) ?? "") : undefined);
  const edit: SessionEdit = {};
  if (given("Status") && bound.Status !== null && bound.Status !== "") {
    edit.status = parseStatus("Status", bound.Status as string) as SessionStatus;
  }
  if (given("User")) {
    const user = bound.User as { AssociateId: number } | null;
    edit.userId = user && user.AssociateId > 0 ? user.AssociateId : null;
  }
  if (CUSTOMER_FIELDS.some(([, name]) => given(name))) {
    const customer: Record<string, unknown> = {};
    for (const [key, name] of CUSTOMER_FIELDS) {
      if (!given(name)) continue;
      customer[key] = key === "consented" ? bound[name] : ((bound[name] as string | null) ?? "");
    }
    edit.customer = customer as Partial<CustomerInfo>;
  }
  edit.firstMessage = str("FirstMessage");
  edit.lastMessage = str("LastMessage");
  if (given("Rating")) edit.rating = bound.Rating as number;
  if (given("ChatbotIsActive")) edit.chatbotIsActive = bound.ChatbotIsActive as boolean;
  if (edit.rating !== undefined && edit.rating < 0) {
    throw new PresenceError("PRES_ERR_BAD_BODY", { detail: "Rating: expected 0 or more" });
  }
  return { id: bound.ChatSessionId as number, topicId: bound.TopicId as number, edit };
}

/** A new session from a saved entity: it starts before pick-up, with no user. */
export function newSessionInput(saved: SavedSession): SessionInput {
  if (saved.topicId <= 0) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: "TopicId: a new session needs its chat topic",
    });
  }
  if (saved.edit.userId) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: "User: a new session waits in the queue; pick it up to assign it",
    });
  }
  const { edit } = saved;
  return {
    topicId: saved.topicId,
    status: edit.status,
    customer: edit.customer,
    firstMessage: edit.firstMessage,
    lastMessage: edit.lastMessage,
    rating: edit.rating,
    chatbotIsActive: edit.chatbotIsActive,
  };
}

/** TopicId cannot change; a body naming another topic is refused rather than ignored. */
export function assertSameTopic(saved: SavedSession, topicId: number): void {
  if (saved.topicId > 0 && saved.topicId !== topicId) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: "TopicId: a session cannot move to another topic",
    });
  }
}
