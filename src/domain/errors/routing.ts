/**
 * Routing errors: offers of queued sessions to agents.
 */
import type { ErrorDefinition } from "./definition.ts";

export const ROUTING_ERRORS = {
  PRES_ERR_NO_OFFER: {
    status: 409,
    type: "ConflictException",
    en: "Chat session {sessionId} is not offered to {user} (any more): the offer was withdrawn, lapsed or answered",
    nb: "Chatøkt {sessionId} er ikke (lenger) tilbudt til {user}: tilbudet ble trukket tilbake, gikk ut eller er besvart",
  },
} satisfies Record<string, ErrorDefinition>;
