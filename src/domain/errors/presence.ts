/**
 * Presence errors: the entries of a presence save (SaveAll, heartbeat).
 */
import type { ErrorDefinition } from "./definition.ts";

export const PRESENCE_ERRORS = {
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
  PRES_ERR_FORBIDDEN_USER: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "Entry {index}: you may not change the presence of UserId {userId}",
    nb: "Element {index}: du kan ikke endre tilstedeværelsen til UserId {userId}",
  },
} satisfies Record<string, ErrorDefinition>;
