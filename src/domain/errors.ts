/**
 * The central registry of coded errors. Every protocol renders these the same way:
 * REST/Agents as SuperOffice's JSON error body, SOAP as ExceptionInfo or a Fault.
 * Messages are templates; `{name}` placeholders are filled from the error's params.
 */
export type Language = "en" | "nb";

interface ErrorDefinition {
  status: number;
  /** The .NET-style exception name SuperOffice clients see in ErrorType / ExceptionType. */
  type: string;
  en: string;
  nb: string;
}

export const ERRORS = {
  PRES_ERR_BAD_BODY: {
    status: 400,
    type: "ArgumentException",
    en: "The request body is not valid: {detail}",
    nb: "Forespørselen er ugyldig: {detail}",
  },
  PRES_ERR_BAD_ENTRY: {
    status: 400,
    type: "ArgumentException",
    en: "Entry {index} (UserId {userId}) is not valid: {detail}",
    nb: "Element {index} (UserId {userId}) er ugyldig: {detail}",
  },
  PRES_ERR_UNKNOWN_USER: {
    status: 400,
    type: "ArgumentException",
    en: "Entry {index}: there is no chat user with UserId {userId}",
    nb: "Element {index}: det finnes ingen chatbruker med UserId {userId}",
  },
  PRES_ERR_BAD_QUERY: {
    status: 400,
    type: "ArgumentException",
    en: "The query parameter {name} is not valid: {detail}",
    nb: "Spørringsparameteren {name} er ugyldig: {detail}",
  },
  PRES_ERR_SOAP_VERSION: {
    status: 400,
    type: "VersionMismatchException",
    en: "The envelope namespace {namespace} is neither SOAP 1.1 nor SOAP 1.2",
    nb: "Konvoluttens navnerom {namespace} er verken SOAP 1.1 eller SOAP 1.2",
  },
  PRES_ERR_SOAP_HEADER: {
    status: 400,
    type: "MustUnderstandException",
    en: "The header {header} must be understood, but this server does not process it",
    nb: "Headeren {header} må forstås, men denne serveren behandler den ikke",
  },
  PRES_ERR_SOAP_OPERATION: {
    status: 400,
    type: "ActionNotSupportedException",
    en: "{operation} is not an operation of {service}",
    nb: "{operation} er ikke en operasjon i {service}",
  },
  PRES_ERR_UNAUTHENTICATED: {
    status: 401,
    type: "SoAuthenticationException",
    en: "Authentication is required: {detail}",
    nb: "Autentisering kreves: {detail}",
  },
  PRES_ERR_APP_TOKEN: {
    status: 401,
    type: "SoAuthenticationException",
    en: "A registered application token is required (SO-AppToken)",
    nb: "Et registrert applikasjonstoken kreves (SO-AppToken)",
  },
  PRES_ERR_FORBIDDEN_USER: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "Entry {index}: you may not change the presence of UserId {userId}",
    nb: "Element {index}: du kan ikke endre tilstedeværelsen til UserId {userId}",
  },
  PRES_ERR_FORBIDDEN: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You do not have access to this operation: {detail}",
    nb: "Du har ikke tilgang til denne operasjonen: {detail}",
  },
  PRES_ERR_XSRF: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "The X-XSRF-TOKEN header is missing or does not match the XSRF-TOKEN cookie",
    nb: "X-XSRF-TOKEN-headeren mangler eller stemmer ikke med XSRF-TOKEN-informasjonskapselen",
  },
  PRES_ERR_CROSS_ORIGIN: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "Sign-in is accepted only from this server's own pages: the Origin or Referer header must name {origin}",
    nb: "Pålogging godtas bare fra serverens egne sider: Origin- eller Referer-headeren må oppgi {origin}",
  },
  PRES_ERR_NOT_FOUND: {
    status: 404,
    type: "NotFoundException",
    en: "Not found: {detail}",
    nb: "Ikke funnet: {detail}",
  },
  PRES_ERR_METHOD: {
    status: 405,
    type: "MethodNotAllowedException",
    en: "{method} is not allowed here; use {allow}",
    nb: "{method} er ikke tillatt her; bruk {allow}",
  },
  PRES_ERR_CONFLICT: {
    status: 409,
    type: "ConflictException",
    en: "Conflict: {detail}",
    nb: "Konflikt: {detail}",
  },
  PRES_ERR_TOO_LARGE: {
    status: 413,
    type: "RequestTooLargeException",
    en: "The request body is larger than the limit of {limit} bytes",
    nb: "Forespørselen er større enn grensen på {limit} byte",
  },
  PRES_ERR_MEDIA_TYPE: {
    status: 415,
    type: "UnsupportedMediaTypeException",
    en: "Content-Type {contentType} is not supported; use one of {supported}",
    nb: "Content-Type {contentType} støttes ikke; bruk en av {supported}",
  },
  PRES_ERR_ENCODING: {
    status: 415,
    type: "UnsupportedMediaTypeException",
    en: "Content-Encoding {encoding} is not supported; send the body as one of {supported}",
    nb: "Content-Encoding {encoding} støttes ikke; send innholdet som en av {supported}",
  },
  PRES_ERR_NOT_IMPLEMENTED: {
    status: 501,
    type: "NotImplementedException",
    en: "{operation} is not implemented by this server",
    nb: "{operation} er ikke implementert på denne serveren",
  },
  // Chat topics, members, sessions and users.
  PRES_ERR_BAD_PATH: {
    status: 400,
    type: "ArgumentException",
    en: "The path parameter {name} is not valid: {detail}",
    nb: "Stiparameteren {name} er ugyldig: {detail}",
  },
  PRES_ERR_BAD_TIME_ZONE: {
    status: 400,
    type: "ArgumentException",
    en: "{field}: unknown time zone {code}; use a TZLocationCode from the table in the README (such as NO) or an IANA name (such as Europe/Oslo)",
    nb: "{field}: ukjent tidssone {code}; bruk en TZLocationCode fra tabellen i README (som NO) eller et IANA-navn (som Europe/Oslo)",
  },
  PRES_ERR_BAD_TIME: {
    status: 400,
    type: "ArgumentException",
    en: "{field}: {value} is not a time of day; use HH:mm, HH:mm:ss or an ISO 8601 duration such as PT8H30M",
    nb: "{field}: {value} er ikke et klokkeslett; bruk TT:mm, TT:mm:ss eller en ISO 8601-varighet som PT8H30M",
  },
  PRES_ERR_BAD_STATUS: {
    status: 400,
    type: "ArgumentException",
    en: "{field}: {value} is not a ChatSessionStatus; use one of {allowed}",
    nb: "{field}: {value} er ikke en ChatSessionStatus; bruk en av {allowed}",
  },
  PRES_ERR_CANNOT_RESPOND: {
    status: 400,
    type: "ArgumentException",
    en: "{user} cannot respond to chats in chat topic {topicId}",
    nb: "{user} kan ikke svare på chatter i chatemne {topicId}",
  },
  PRES_ERR_ADMIN_ONLY: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "This operation needs the admin role",
    nb: "Denne operasjonen krever administratorrollen",
  },
  PRES_ERR_TOPIC_RIGHT: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You need the {right} right on chat topic {topicId}, or the admin role",
    nb: "Du trenger {right}-rettigheten på chatemne {topicId}, eller administratorrollen",
  },
  PRES_ERR_NOT_MEMBER: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You are not a member of chat topic {topicId}",
    nb: "Du er ikke medlem av chatemne {topicId}",
  },
  PRES_ERR_SESSION_ACCESS: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You have no access to chat session {sessionId}",
    nb: "Du har ikke tilgang til chatøkt {sessionId}",
  },
  PRES_ERR_SESSION_OWNER: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "Chat session {sessionId} is not yours: only its user, a manager of its topic or an administrator may do this",
    nb: "Chatøkt {sessionId} er ikke din: bare brukeren, en leder for emnet eller en administrator kan gjøre dette",
  },
  PRES_ERR_NO_TOPIC: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat topic with id {topicId}",
    nb: "Det finnes ikke noe chatemne med id {topicId}",
  },
  PRES_ERR_NO_SESSION: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat session with id {sessionId}",
    nb: "Det finnes ingen chatøkt med id {sessionId}",
  },
  PRES_ERR_NO_USER: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat user {user}",
    nb: "Det finnes ingen chatbruker {user}",
  },
  PRES_ERR_NO_MEMBER: {
    status: 404,
    type: "NotFoundException",
    en: "{user} is not a member of chat topic {topicId}",
    nb: "{user} er ikke medlem av chatemne {topicId}",
  },
  PRES_ERR_NOT_IN_QUEUE: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} is not waiting in the queue (it is {status}); someone else may have picked it up",
    nb: "Chatøkt {sessionId} venter ikke i køen (den er {status}); noen andre kan ha tatt den",
  },
  PRES_ERR_NOT_ONGOING: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} is not an ongoing chat (it is {status})",
    nb: "Chatøkt {sessionId} er ikke en pågående chat (den er {status})",
  },
  PRES_ERR_AT_CAPACITY: {
    status: 409,
    type: "ConflictException",
    en: "{user} cannot take another chat: their ongoing chats are at the limit ({limits})",
    nb: "{user} kan ikke ta en chat til: de pågående chattene har nådd grensen ({limits})",
  },
  PRES_ERR_NO_TRANSFER: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} has no transfer waiting for you",
    nb: "Chatøkt {sessionId} har ingen overføring som venter på deg",
  },
  PRES_ERR_STATUS_TRANSITION: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} cannot go from {from} to {to}",
    nb: "Chatøkt {sessionId} kan ikke gå fra {from} til {to}",
  },
  PRES_ERR_CHANGED: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} changed while it was being saved; fetch it again and retry",
    nb: "Chatøkt {sessionId} ble endret mens den ble lagret; hent den på nytt og prøv igjen",
  },
  PRES_ERR_BAD_MESSAGE: {
    status: 400,
    type: "ArgumentException",
    en: "The chat message's {field} is not valid: {detail}",
    nb: "Chatmeldingens {field} er ugyldig: {detail}",
  },
  PRES_ERR_SESSION_CLOSED: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} is over (it is {status}); it takes no more messages",
    nb: "Chatøkt {sessionId} er avsluttet (den er {status}); den tar ikke imot flere meldinger",
  },
  PRES_ERR_MESSAGE_LIMIT: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} already holds {limit} messages, the most a session may hold",
    nb: "Chatøkt {sessionId} har allerede {limit} meldinger, det meste en økt kan ha",
  },
  PRES_ERR_USERNAME_TAKEN: {
    status: 409,
    type: "ConflictException",
    en: "The username {username} is already taken",
    nb: "Brukernavnet {username} er allerede i bruk",
  },
  PRES_ERR_SELF: {
    status: 409,
    type: "ConflictException",
    en: "You cannot delete your own account or take away your own admin role",
    nb: "Du kan ikke slette din egen konto eller fjerne din egen administratorrolle",
  },
  PRES_ERR_UNAVAILABLE: {
    status: 503,
    type: "ServiceUnavailableException",
    en: "The service is unavailable: {detail}",
    nb: "Tjenesten er utilgjengelig: {detail}",
  },
  // Webhooks.
  PRES_ERR_BAD_WEBHOOK: {
    status: 400,
    type: "ArgumentException",
    en: "{field} is not valid: {detail}",
    nb: "{field} er ugyldig: {detail}",
  },
  PRES_ERR_NO_WEBHOOK: {
    status: 404,
    type: "NotFoundException",
    en: "There is no webhook with id {webhookId}",
    nb: "Det finnes ingen webhook med id {webhookId}",
  },
  PRES_ERR_WEBHOOK_LIMIT: {
    status: 409,
    type: "ConflictException",
    en: "There are already {limit} webhooks, the most this server allows (--webhook-limit); delete one first",
    nb: "Det finnes allerede {limit} webhooker, det meste denne serveren tillater (--webhook-limit); slett en først",
  },
  // Reliability and security.
  PRES_ERR_THROTTLED: {
    status: 429,
    type: "SoAuthenticationException",
    en: "Too many failed sign-ins; try again in {retryAfter} seconds",
    nb: "For mange mislykkede pålogginger; prøv igjen om {retryAfter} sekunder",
  },
  PRES_ERR_STREAMS_PER_USER: {
    status: 429,
    type: "TooManyRequestsException",
    en: "You already have {limit} change streams open, the most one user may have; close one first",
    nb: "Du har allerede {limit} endringsstrømmer åpne, det meste én bruker kan ha; lukk én først",
  },
  PRES_ERR_STREAMS_TOTAL: {
    status: 429,
    type: "TooManyRequestsException",
    en: "The server has {limit} change streams open, its limit; try again later",
    nb: "Serveren har {limit} endringsstrømmer åpne, som er grensen; prøv igjen senere",
  },
  PRES_ERR_TIMEOUT: {
    status: 408,
    type: "TimeoutException",
    en: "The request was not received in time (limit {limit} ms)",
    nb: "Forespørselen ble ikke mottatt i tide (grense {limit} ms)",
  },
  PRES_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    type: "RequestTooLargeException",
    en: "The request headers are larger than the limit of {limit} bytes",
    nb: "Forespørselens headere er større enn grensen på {limit} byte",
  },
  PRES_ERR_BAD_HTTP: {
    status: 400,
    type: "ArgumentException",
    en: "The request is not valid HTTP: {detail}",
    nb: "Forespørselen er ikke gyldig HTTP: {detail}",
  },
  PRES_ERR_INTERNAL: {
    status: 500,
    type: "Exception",
    en: "An internal error occurred (request {requestId})",
    nb: "En intern feil oppstod (forespørsel {requestId})",
  },
  PRES_ERR_SIGN_IN_METHOD: {
    status: 400,
    type: "NotSupportedException",
    en: "{operation} cannot sign in to this server: {reason}. Use AuthenticateUsernamePassword or AuthenticateWithAccessToken",
    nb: "{operation} kan ikke logge inn på denne serveren: {reason}. Bruk AuthenticateUsernamePassword eller AuthenticateWithAccessToken",
  },
} satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

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
