/**
 * Webhook errors: registering and managing webhooks.
 */
import type { ErrorDefinition } from "./definition.ts";

export const WEBHOOK_ERRORS = {
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
} satisfies Record<string, ErrorDefinition>;
