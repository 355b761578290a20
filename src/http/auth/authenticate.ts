/**
 * The auth hook every protected route runs: an Authorization header (Basic, SoTicket, Bearer)
 * wins; otherwise the browser session cookie, with the XSRF check on state-changing requests.
 */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import type { AuthService } from "../../service/auth.ts";
import { readCookie, SESSION_COOKIE } from "./cookies.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function authenticator(auth: AuthService) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const authorization = header(request, "authorization");
    if (authorization) {
      request.actor = await auth.authenticateHeader(
        authorization,
        header(request, "so-apptoken"),
        request.ip,
      );
      return;
    }
    const session = readCookie(request, SESSION_COOKIE);
    if (!session) {
      throw new PresenceError("PRES_ERR_UNAUTHENTICATED", {
        detail: "send an Authorization header (Basic, SoTicket or Bearer) or sign in",
      });
    }
    request.actor = await auth.authenticateSession(
      session,
      header(request, "x-xsrf-token"),
      !SAFE_METHODS.has(request.method),
    );
  };
}
