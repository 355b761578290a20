/** Browser sign-in for the dashboard: POST /api/v1/Auth/Login, /Logout, GET /Me (extensions). */
import { PresenceError } from "../../domain/errors.ts";
import type { Services } from "../../service/services.ts";
import { BODY_TYPES, readBody } from "../codecs/body.ts";
import type { ObjectSchema } from "../codecs/schema.ts";
import type { RouteSpec } from "../route.ts";
import { header } from "./authenticate.ts";
import { clearSessionCookies, readCookie, SESSION_COOKIE, setSessionCookies } from "./cookies.ts";
import { assertSameOrigin } from "./origin.ts";

const LOGIN_SCHEMA: ObjectSchema = {
  type: "object",
  title: "LoginRequest",
  properties: {
    Username: { type: "string", description: "The user's sign-in name" },
    Password: { type: "string", description: "The user's password" },
  },
};

const ME_SCHEMA: ObjectSchema = {
  type: "object",
  title: "SignedInUser",
  properties: {
    UserId: { type: "integer", format: "int32" },
    Username: { type: "string" },
    Role: { type: "string", description: "admin or agent" },
    XsrfToken: {
      type: "string",
      description: "Send back as X-XSRF-TOKEN on state-changing requests",
    },
  },
};

export function authRoutes({ auth }: Services): RouteSpec[] {
  return [
    {
      method: "POST",
      url: "/api/v1/Auth/Login",
      operationId: "AuthLogin",
      summary:
        "Sign in with username and password; sets the session and XSRF-TOKEN cookies (same origin only; online mode: SO-AppToken too)",
      tag: "Auth",
      auth: false,
      extension: true,
      body: { schema: LOGIN_SCHEMA, required: true, contentTypes: BODY_TYPES },
      responses: {
        200: { description: "Signed in", schema: ME_SCHEMA },
        401: { description: "Wrong username or password, or (online mode) no application token" },
        403: { description: "Not from this server's own pages (Origin or Referer)" },
        429: { description: "Too many failed sign-ins" },
      },
      async handler(request, reply) {
        assertSameOrigin(request);
        // Online installations accept no password without a registered application token.
        if (auth.options.online) await auth.requireAppToken(header(request, "so-apptoken"));
        const body = readBody(request, LOGIN_SCHEMA) as {
          Username: string | null;
          Password: string | null;
        };
        if (!body.Username || body.Password === null) {
          throw new PresenceError("PRES_ERR_BAD_BODY", {
            detail: "Username and Password are required",
          });
        }
        const signedIn = await auth.login(body.Username, body.Password, request.ip);
        setSessionCookies(
          reply,
          signedIn.session,
          signedIn.xsrf,
          Math.floor((signedIn.expiresAt - Date.now()) / 1000),
        );
        return {
          UserId: signedIn.actor.userId,
          Username: signedIn.actor.username,
          Role: signedIn.actor.role,
          XsrfToken: signedIn.xsrf,
        };
      },
    },
    {
      method: "POST",
      url: "/api/v1/Auth/Logout",
      operationId: "AuthLogout",
      summary: "End the browser session, or revoke the ticket or token in the Authorization header",
      tag: "Auth",
      auth: true,
      extension: true,
      responses: { 204: { description: "Signed out" } },
      async handler(request, reply) {
        const session = readCookie(request, SESSION_COOKIE);
        const authorization = header(request, "authorization");
        const [scheme, secret] = authorization?.split(/\s+/, 2) ?? [];
        if (authorization && /^(soticket|bearer)$/i.test(scheme ?? "") && secret)
          await auth.revoke(secret);
        else if (session) await auth.revoke(session);
        clearSessionCookies(reply);
        return reply.code(204).send();
      },
    },
    {
      method: "GET",
      url: "/api/v1/Auth/Me",
      operationId: "AuthMe",
      summary: "Who the caller is signed in as",
      tag: "Auth",
      auth: true,
      extension: true,
      responses: { 200: { description: "The signed-in user", schema: ME_SCHEMA } },
      async handler(request) {
        return {
          UserId: request.actor.userId,
          Username: request.actor.username,
          Role: request.actor.role,
          XsrfToken: readCookie(request, "XSRF-TOKEN") ?? null,
        };
      },
    },
  ];
}
