/**
 * The server around the routes: CORS (off unless origins are configured), connection timeouts
 * against slow clients, documented answers to malformed HTTP, request metrics, and a draining
 * state for graceful shutdown. Its routes (/readyz, /metrics) are in routes.ts.
 */

import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { FastifyHttpOptions, FastifyInstance } from "fastify";
import { ERRORS, type ErrorCode, formatMessage, PresenceError } from "../../domain/errors.ts";
import type { Services } from "../../service/services.ts";
import { header } from "../auth/authenticate.ts";
import { sendError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";

export interface OperationsOptions {
  /** Prometheus metrics; /metrics is served when present. */
  metrics?: Metrics;
  /** A token that may read /metrics as `Authorization: Bearer <token>` (admins always may). */
  metricsToken?: string;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins?: string[];
  /** Time to receive a whole request (headers and body), ms; 0 turns it off. Default 30 s. */
  requestTimeoutMs?: number;
  /** Time to receive the request headers, ms. Default 10 s. */
  headersTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Node's default, stated so the 431 message can name it. */
const MAX_HEADER_BYTES = 16 * 1024;

const CORS_EXPOSED = "request-id, etag, retry-after, location";
const CORS_ALLOWED_HEADERS =
  "authorization, content-type, accept, accept-language, so-language, so-apptoken, if-none-match, last-event-id, x-xsrf-token";

/** Fastify's server options for timeouts and malformed requests (spread into Fastify()). */
export function serverOptions(options: OperationsOptions): Partial<FastifyHttpOptions<Server>> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(
    options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeout || Number.POSITIVE_INFINITY,
  );
  return {
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout,
      maxHeaderSize: MAX_HEADER_BYTES,
      // Node looks for overdue requests this often (its default of 30 s lets a slow client
      // hold a connection far past the limits above).
      connectionsCheckingInterval: Math.max(250, Math.min(1_000, headersTimeout / 2)),
    },
    // Requests arriving while the server drains get our own 503 (see registerOperations).
    return503OnClosing: false,
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      let code: ErrorCode = "PRES_ERR_BAD_HTTP";
      let params: Record<string, string | number> = { detail: error.code ?? "malformed request" };
      if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
        code = "PRES_ERR_TIMEOUT";
        params = { limit: requestTimeout };
      } else if (error.code === "HPE_HEADER_OVERFLOW") {
        code = "PRES_ERR_HEADERS_TOO_LARGE";
        params = { limit: MAX_HEADER_BYTES };
      }
      if (socket.writable) socket.write(rawError(code, params));
      socket.destroy();
    },
  };
}

/** An error written straight to a socket, before any request exists. */
function rawError(code: ErrorCode, params: Record<string, string | number>): string {
  const { status, type } = ERRORS[code];
  const message = formatMessage(code, params, "en");
  const body = JSON.stringify({
    Error: true,
    ErrorType: type,
    ErrorMessage: message,
    Message: message,
    ErrorSource: "(connection)",
    ErrorCode: code,
  });
  return `HTTP/1.1 ${status} ${status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Hooks for metrics, CORS and draining; call before the routes are added. */
export function registerOperations(
  app: FastifyInstance,
  services: Services,
  options: OperationsOptions,
): void {
  const online = services.auth.options.online;
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });
  // Callback-style hooks (here and below) run on every request: they skip the promise an async
  // hook costs, which showed in the SaveAll profile.
  app.addHook("onRequest", (request, reply, done) => {
    if (!draining) return done();
    reply.header("connection", "close");
    sendError(
      request,
      reply,
      new PresenceError("PRES_ERR_UNAVAILABLE", {
        detail: "the server is shutting down; try again",
        retryAfter: 1,
      }),
      online,
    );
  });

  const { metrics } = options;
  if (metrics) {
    app.addHook("onResponse", (request, reply, done) => {
      const route = request.is404 ? "(unmatched)" : (request.routeOptions.url ?? "(unmatched)");
      metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    app.addHook("onClose", async () => metrics.close());
  }

  const origins = new Set(options.corsOrigins ?? []);
  if (origins.size > 0) {
    app.addHook("onRequest", async (request, reply) => {
      const origin = header(request, "origin");
      if (!origin || !origins.has(origin)) return;
      reply.header("access-control-allow-origin", origin).header("vary", "Origin");
      reply.header("access-control-expose-headers", CORS_EXPOSED);
    });
    app.options("*", async (request, reply) => {
      const origin = header(request, "origin");
      if (!origin || !origins.has(origin)) {
        return sendError(
          request,
          reply,
          new PresenceError("PRES_ERR_FORBIDDEN", {
            detail: `cross-origin requests from ${origin ?? "(no origin)"} are not allowed`,
          }),
          online,
        );
      }
      return reply
        .code(204)
        .header("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE")
        .header("access-control-allow-headers", CORS_ALLOWED_HEADERS)
        .header("access-control-max-age", "600")
        .send();
    });
  }
}
