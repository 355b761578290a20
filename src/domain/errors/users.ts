/**
 * Chat user errors: the user directory (ChatUser routes, `user` commands, import).
 */
import type { ErrorDefinition } from "./definition.ts";

export const USER_ERRORS = {
  PRES_ERR_NO_USER: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat user {user}",
    nb: "Det finnes ingen chatbruker {user}",
  },
  PRES_ERR_USERNAME_TAKEN: {
    status: 409,
    type: "ConflictException",
    en: "The username {username} is already taken",
    nb: "Brukernavnet {username} er allerede i bruk",
  },
  PRES_ERR_CONFLICT: {
    status: 409,
    type: "ConflictException",
    en: "Conflict: {detail}",
    nb: "Konflikt: {detail}",
  },
  PRES_ERR_SELF: {
    status: 409,
    type: "ConflictException",
    en: "You cannot delete your own account or take away your own admin role",
    nb: "Du kan ikke slette din egen konto eller fjerne din egen administratorrolle",
  },
} satisfies Record<string, ErrorDefinition>;
