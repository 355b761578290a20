/**
 * Change stream errors: the limits on open SSE streams.
 */
import type { ErrorDefinition } from "./definition.ts";

export const STREAM_ERRORS = {
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
} satisfies Record<string, ErrorDefinition>;
