/**
 * Same-origin check for the password sign-in (against login CSRF: a page elsewhere posting a
 * form that signs the visitor's browser in as the attacker). Browsers send Origin on every
 * POST; Referer stands in where a privacy setting drops Origin. A request with neither is
 * accepted only with a body a cross-site form cannot send (JSON or XML need a CORS preflight,
 * which other origins do not pass): that is a script or a server, not a browser tricked by a
 * page. Forms, multipart and text/plain without either header are refused.
 */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import { header } from "./authenticate.ts";

/** What an HTML form on any site can post without a preflight. */
const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Throws PRES_ERR_CROSS_ORIGIN (403) unless the request comes from this server's own pages. The
 * error names only the expected origin, a value, so the message is wholly in one language.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  const own = originOf(`${request.protocol}://${request.host}`);
  const refused = new PresenceError("PRES_ERR_CROSS_ORIGIN", { origin: own ?? "(unknown)" });
  // Without a Host the server cannot say what its origin is, and nothing may match "none".
  if (own === null) throw refused;
  const origin = header(request, "origin");
  const referer = header(request, "referer");
  if (origin !== undefined) {
    if (originOf(origin) !== own) throw refused;
    return;
  }
  if (referer !== undefined) {
    if (originOf(referer) !== own) throw refused;
    return;
  }
  const type = (header(request, "content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "" || FORM_TYPES.includes(type)) throw refused;
}
