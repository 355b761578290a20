/**
 * The central registry of coded errors. Every protocol renders these the same way:
 * REST/Agents as SuperOffice's JSON error body, SOAP as ExceptionInfo or a Fault.
 * Messages are templates; `{name}` placeholders are filled from the error's params.
 * The codes are defined by area, one file each in errors/, and documented in docs/ERRORS.md.
 */
import { AUTH_ERRORS } from "./errors/auth.ts";
import { CAPACITY_ERRORS } from "./errors/capacity.ts";
import type { ErrorDefinition } from "./errors/definition.ts";
import { MESSAGE_ERRORS } from "./errors/messages.ts";
import { PRESENCE_ERRORS } from "./errors/presence.ts";
import { REQUEST_ERRORS } from "./errors/request.ts";
import { ROUTING_ERRORS } from "./errors/routing.ts";
import { SERVICE_ERRORS } from "./errors/service.ts";
import { SESSION_ERRORS } from "./errors/sessions.ts";
import { SOAP_ERRORS } from "./errors/soap.ts";
import { STREAM_ERRORS } from "./errors/stream.ts";
import { TOPIC_ERRORS } from "./errors/topics.ts";
import { USER_ERRORS } from "./errors/users.ts";
import { WEBHOOK_ERRORS } from "./errors/webhooks.ts";

export type { ErrorDefinition };

export type Language = "en" | "nb";

/** The areas by the name of their file in errors/ (docs/ERRORS.md has a table for each). */
export const ERROR_AREAS = {
  request: REQUEST_ERRORS,
  soap: SOAP_ERRORS,
  auth: AUTH_ERRORS,
  presence: PRESENCE_ERRORS,
  users: USER_ERRORS,
  topics: TOPIC_ERRORS,
  sessions: SESSION_ERRORS,
  capacity: CAPACITY_ERRORS,
  routing: ROUTING_ERRORS,
  messages: MESSAGE_ERRORS,
  webhooks: WEBHOOK_ERRORS,
  stream: STREAM_ERRORS,
  service: SERVICE_ERRORS,
};

type Areas = typeof ERROR_AREAS;
export type ErrorCode = { [Area in keyof Areas]: keyof Areas[Area] }[keyof Areas];

/** Every code of every area (test/errors-registry.test.ts checks no two areas share a code). */
export const ERRORS: Record<ErrorCode, ErrorDefinition> = Object.assign(
  {},
  ...Object.values(ERROR_AREAS),
);

/** A parameter written in both languages, such as a detail saying what is wrong. */
export interface Localized {
  en: string;
  nb: string;
}

export type ErrorParam = string | number | boolean | null | undefined | Localized;
export type ErrorParams = Record<string, ErrorParam>;

export function localized(en: string, nb: string): Localized {
  return { en, nb };
}

/** Text that reads the same in every language (a path, a code): shown in every message. */
export function verbatim(text: string): Localized {
  return { en: text, nb: text };
}

/** An error a client can act on: it carries a registry code, never a raw message. */
export class PresenceError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  constructor(code: ErrorCode, params: ErrorParams = {}) {
    super(formatMessage(code, params, "en"));
    this.name = "PresenceError";
    this.code = code;
    this.params = params;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  get type(): string {
    return ERRORS[this.code].type;
  }
  messageIn(language: Language): string {
    return formatMessage(this.code, this.params, language);
  }
}

/**
 * Fills a template. A `detail` given as a plain string is English prose (often a parser's own
 * message) and is left out of other languages' messages, so an answer is never half one
 * language and half the other; a placeholder that comes out empty takes its ": " with it.
 */
export function formatMessage(code: ErrorCode, params: ErrorParams, language: Language): string {
  const template = ERRORS[code][language];
  return template.replace(/(: )?\{(\w+)\}/g, (_, separator: string | undefined, name: string) => {
    const text = paramText(name, params[name], language);
    return text === "" ? "" : (separator ?? "") + text;
  });
}

function paramText(name: string, value: ErrorParam, language: Language): string {
  if (typeof value === "object" && value !== null) return value[language];
  if (name === "detail" && language !== "en") return "";
  return String(value ?? "");
}

/** Picks English or Norwegian from SO-Language (wins) or Accept-Language (by q-value). */
export function pickLanguage(soLanguage?: string, acceptLanguage?: string): Language {
  const candidates = soLanguage ? [soLanguage] : parseAcceptLanguage(acceptLanguage ?? "");
  for (const tag of candidates) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (primary === "nb" || primary === "no" || primary === "nn") return "nb";
    if (primary === "en") return "en";
  }
  return "en";
}

function parseAcceptLanguage(header: string): string[] {
  return header
    .split(",")
    .map((part, order) => {
      const [tag, ...rest] = part.split(";");
      const q = rest.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) || 0 : 1, order };
    })
    .filter((item) => item.tag && item.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map((item) => item.tag);
}
