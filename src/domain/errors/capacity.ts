/**
 * Capacity errors: an agent's ongoing chats against MaxChats and MaxChatsPerAgent.
 */
import type { ErrorDefinition } from "./definition.ts";

export const CAPACITY_ERRORS = {
  PRES_ERR_AT_CAPACITY: {
    status: 409,
    type: "ConflictException",
    en: "{user} cannot take another chat: their ongoing chats are at the limit ({limits})",
    nb: "{user} kan ikke ta en chat til: de pågående chattene har nådd grensen ({limits})",
  },
} satisfies Record<string, ErrorDefinition>;
