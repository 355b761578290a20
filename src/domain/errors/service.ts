/**
 * Service errors: the server or its store cannot answer.
 */
import type { ErrorDefinition } from "./definition.ts";

export const SERVICE_ERRORS = {
  PRES_ERR_UNAVAILABLE: {
    status: 503,
    type: "ServiceUnavailableException",
    en: "The service is unavailable: {detail}",
    nb: "Tjenesten er utilgjengelig: {detail}",
  },
  PRES_ERR_INTERNAL: {
    status: 500,
    type: "Exception",
    en: "An internal error occurred (request {requestId})",
    nb: "En intern feil oppstod (forespørsel {requestId})",
  },
} satisfies Record<string, ErrorDefinition>;
