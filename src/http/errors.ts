/** Turns any error into SuperOffice's JSON error body; client mistakes never become a 500. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Language, PresenceError, pickLanguage, verbatim } from "../domain/errors.ts";
import { closeIfLongBody } from "./auth/authenticate.ts";
import { BODY_TYPES } from "./codecs/body.ts";

export function requestLanguage(request: FastifyRequest): Language {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return pickLanguage(header("so-language"), header("accept-language"));
}

/** Maps Fastify's own coded errors onto the registry. */
export function toPresenceError(
  error: FastifyError,
  request: FastifyRequest,
  bodyLimit: number,
): PresenceError {
  if (error instanceof PresenceError) return error;
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new PresenceError("PRES_ERR_MEDIA_TYPE", {
        contentType: request.headers["content-type"] || "(none)",
        supported: BODY_TYPES.join(", "),
      });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new PresenceError("PRES_ERR_TOO_LARGE", { limit: bodyLimit });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return new PresenceError("PRES_ERR_BAD_BODY", { detail: error.message });
  return new PresenceError("PRES_ERR_INTERNAL", { requestId: request.id });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: PresenceError,
  online: boolean,
) {
  const message = error.messageIn(requestLanguage(request));
  if (error.status === 401) {
    const challenges = ['SoTicket realm="chat-presence"', 'Bearer realm="chat-presence"'];
    // No Basic challenge to a page's own fetch or EventSource: the browser would pop up its
    // password dialog over the dashboard's sign-in form.
    const fromPageScript =
      request.headers["sec-fetch-dest"] === "empty" ||
      request.headers["x-requested-with"] !== undefined;
    if (!online && !fromPageScript) challenges.push('Basic realm="chat-presence", charset="UTF-8"');
    reply.header("www-authenticate", challenges);
  }
  // Throttled sign-ins (429) and a server going down (503) say when to come back.
  if (error.params.retryAfter !== undefined)
    reply.header("retry-after", String(error.params.retryAfter));
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send({
      Error: true,
      ErrorType: error.type,
      ErrorMessage: message,
      Message: message,
      ErrorSource: `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]}`,
      ErrorCode: error.code,
    });
}

export function registerErrorHandlers(
  app: FastifyInstance,
  options: { online: boolean; bodyLimit: number },
) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const presenceError = toPresenceError(error, request, options.bodyLimit);
    if (presenceError.status >= 500) request.log.error({ err: error }, "request failed");
    return sendError(request, reply, presenceError, options.online);
  });
  const notFound = (request: FastifyRequest) =>
    new PresenceError("PRES_ERR_NOT_FOUND", {
      detail: verbatim(`${request.method} ${request.url.split("?")[0]}`),
    });
  // Refused in onRequest, so a body sent to an unknown path is never parsed. Callback-style:
  // it runs on every request, and an async hook costs a promise each time.
  app.addHook("onRequest", (request, reply, done) => {
    if (!request.is404) return done();
    closeIfLongBody(request, reply);
    done(notFound(request));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, notFound(request), options.online),
  );
}
