/** The two browser cookies: the HttpOnly session, and the script-readable XSRF token. */
import type { FastifyReply, FastifyRequest } from "fastify";

export const SESSION_COOKIE = "chat_presence_session";
export const XSRF_COOKIE = "XSRF-TOKEN";

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function cookie(
  name: string,
  value: string,
  maxAgeSeconds: number,
  httpOnly: boolean,
  secure: boolean,
): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "SameSite=Strict",
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (httpOnly) parts.push("HttpOnly");
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function setSessionCookies(
  reply: FastifyReply,
  session: string,
  xsrf: string,
  maxAgeSeconds: number,
) {
  const secure = reply.request.protocol === "https";
  reply.header("set-cookie", [
    cookie(SESSION_COOKIE, session, maxAgeSeconds, true, secure),
    cookie(XSRF_COOKIE, xsrf, maxAgeSeconds, false, secure),
  ]);
}

export function clearSessionCookies(reply: FastifyReply) {
  const secure = reply.request.protocol === "https";
  reply.header("set-cookie", [
    cookie(SESSION_COOKIE, "", 0, true, secure),
    cookie(XSRF_COOKIE, "", 0, false, secure),
  ]);
}
