/**
 * The auth hook every protected route runs: an Authorization header (Basic, SoTicket, Bearer)
 * wins; otherwise the browser session cookie, with the XSRF check on state-changing requests.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { localized, PresenceError } from "../../domain/errors.ts";
import type { AuthService } from "../../service/auth.ts";
import { readCookie, SESSION_COOKIE } from "./cookies.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body of a refused request is never parsed. Up to this many bytes of it are read and
 * dropped so the connection can carry the client's next request; a longer body (or one of
 * unknown length) closes the connection after the answer, so the server does not spend its
 * time pulling bytes it will throw away.
 */
export const DRAIN_LIMIT = 64 * 1024;

/** Marks the answer to a refused request to close the connection when its body is long. */
export function closeIfLongBody(request: FastifyRequest, reply: FastifyReply): void {
  const length = header(request, "content-length");
  const chunked = header(request, "transfer-encoding") !== undefined;
  if ((length !== undefined && Number(length) > DRAIN_LIMIT) || (length === undefined && chunked))
    reply.header("connection", "close");
}

export function authenticator(auth: AuthService) {
  return async function authenticate(request: FastifyRequest, reply?: FastifyReply): Promise<void> {
    try {
      await identify(auth, request);
    } catch (error) {
      if (reply) closeIfLongBody(request, reply);
      throw error;
    }
  };
}

/**
 * The onRequest hook of protected routes: a header the credential cache answers (most
 * requests repeat a ticket resolved a moment ago) is settled at once, without the promises of
 * the full check; anything else takes `authenticator`'s path.
 */
export function authenticationHook(auth: AuthService) {
  const authenticate = authenticator(auth);
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    const authorization = header(request, "authorization");
    const cached = authorization ? auth.cachedCaller(authorization) : undefined;
    if (cached) {
      request.actor = cached;
      done();
      return;
    }
    authenticate(request, reply).then(() => done(), done);
  };
}

async function identify(auth: AuthService, request: FastifyRequest): Promise<void> {
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
      detail: localized(
        "send an Authorization header (Basic, SoTicket or Bearer) or sign in",
        "send en Authorization-header (Basic, SoTicket eller Bearer) eller logg inn",
      ),
    });
  }
  request.actor = await auth.authenticateSession(
    session,
    header(request, "x-xsrf-token"),
    !SAFE_METHODS.has(request.method),
  );
}
