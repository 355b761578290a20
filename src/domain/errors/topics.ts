/**
 * Chat topic errors: topics, their opening hours, their members and the members' rights.
 */
import type { ErrorDefinition } from "./definition.ts";

export const TOPIC_ERRORS = {
  PRES_ERR_NO_TOPIC: {
    status: 404,
    type: "NotFoundException",
    en: "There is no chat topic with id {topicId}",
    nb: "Det finnes ikke noe chatemne med id {topicId}",
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
  PRES_ERR_NO_MEMBER: {
    status: 404,
    type: "NotFoundException",
    en: "{user} is not a member of chat topic {topicId}",
    nb: "{user} er ikke medlem av chatemne {topicId}",
  },
  PRES_ERR_NOT_MEMBER: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You are not a member of chat topic {topicId}",
    nb: "Du er ikke medlem av chatemne {topicId}",
  },
  PRES_ERR_TOPIC_RIGHT: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You need the {right} right on chat topic {topicId}, or the admin role",
    nb: "Du trenger {right}-rettigheten på chatemne {topicId}, eller administratorrollen",
  },
  PRES_ERR_CANNOT_RESPOND: {
    status: 400,
    type: "ArgumentException",
    en: "{user} cannot respond to chats in chat topic {topicId}",
    nb: "{user} kan ikke svare på chatter i chatemne {topicId}",
  },
} satisfies Record<string, ErrorDefinition>;
