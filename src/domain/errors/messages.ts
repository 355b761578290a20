/**
 * Chat message errors: posting messages to a session.
 */
import type { ErrorDefinition } from "./definition.ts";

export const MESSAGE_ERRORS = {
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
} satisfies Record<string, ErrorDefinition>;
