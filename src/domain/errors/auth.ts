/**
 * Authentication and access errors: who the caller is, and whether they may call at all.
 */
import type { ErrorDefinition } from "./definition.ts";

export const AUTH_ERRORS = {
  PRES_ERR_UNAUTHENTICATED: {
    status: 401,
    type: "SoAuthenticationException",
    en: "Authentication is required: {detail}",
    nb: "Autentisering kreves: {detail}",
  },
  PRES_ERR_APP_TOKEN: {
    status: 401,
    type: "SoAuthenticationException",
    en: "A registered application token is required (SO-AppToken)",
    nb: "Et registrert applikasjonstoken kreves (SO-AppToken)",
  },
  PRES_ERR_THROTTLED: {
    status: 429,
    type: "SoAuthenticationException",
    en: "Too many failed sign-ins; try again in {retryAfter} seconds",
    nb: "For mange mislykkede pålogginger; prøv igjen om {retryAfter} sekunder",
  },
  PRES_ERR_XSRF: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "The X-XSRF-TOKEN header is missing or does not match the XSRF-TOKEN cookie",
    nb: "X-XSRF-TOKEN-headeren mangler eller stemmer ikke med XSRF-TOKEN-informasjonskapselen",
  },
  PRES_ERR_CROSS_ORIGIN: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "Sign-in is accepted only from this server's own pages: the Origin or Referer header must name {origin}",
    nb: "Pålogging godtas bare fra serverens egne sider: Origin- eller Referer-headeren må oppgi {origin}",
  },
  PRES_ERR_FORBIDDEN: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "You do not have access to this operation: {detail}",
    nb: "Du har ikke tilgang til denne operasjonen: {detail}",
  },
  PRES_ERR_ADMIN_ONLY: {
    status: 403,
    type: "SoAccessDeniedException",
    en: "This operation needs the admin role",
    nb: "Denne operasjonen krever administratorrollen",
  },
} satisfies Record<string, ErrorDefinition>;
