/**
 * Chat session errors: reading a session and moving it through its statuses.
 */
import type { ErrorDefinition } from "./definition.ts";

export const SESSION_ERRORS = {
  PRES_ERR_NO_SESSION: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat session with id {sessionId}",
    nb: "Det finnes ingen chatøkt med id {sessionId}",
  },
  PRES_ERR_BAD_STATUS: {
    status: 400,
    type: "ArgumentException",
    en: "{field}: {value} is not a ChatSessionStatus; use one of {allowed}",
    nb: "{field}: {value} er ikke en ChatSessionStatus; bruk en av {allowed}",
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
} satisfies Record<string, ErrorDefinition>;
