/** Builds the Fastify application: codecs, auth, error handling and every route. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { PresenceError } from "../domain/errors.ts";
import { StreamHub } from "../realtime/stream.ts";
import type { Services } from "../service/services.ts";
import { agentsPresenceRoutes } from "./agents/presence.ts";
import { agentsSessionRoutes } from "./agents/sessions.ts";
import { agentsTopicRoutes } from "./agents/topics.ts";
import { authenticator } from "./auth/authenticate.ts";
import { authRoutes } from "./auth/routes.ts";
import { PresenceRenderer } from "./carriers/presence-renderer.ts";
import { registerBodyParsers } from "./codecs/body.ts";
import { registerErrorHandlers, sendError } from "./errors.ts";
import { boundHandler } from "./params.ts";
import { memberRoutes } from "./rest/members.ts";
import { presenceRoutes } from "./rest/presence.ts";
import { liveRoutes } from "./rest/presence-live.ts";
import { sessionRoutes } from "./rest/sessions.ts";
import { topicRoutes } from "./rest/topics.ts";
import { credentialRoutes, userRoutes } from "./rest/users.ts";
import { webhookRoutes } from "./rest/webhooks.ts";
import type { Method, RouteSpec } from "./route.ts";
import { soapRoutes } from "./soap/routes.ts";
import { webRoutes } from "./system/dashboard.ts";
import { buildOpenApi } from "./system/openapi.ts";
import { metricsRoutes, systemRoutes } from "./system/routes.ts";
import { type OperationsOptions, registerOperations, serverOptions } from "./system/server.ts";

export interface AppOptions {
  services: Services;
  /** Request body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
  logger?: FastifyServerOptions["logger"];
  /** Honour X-Forwarded-* headers (only behind a proxy you control). */
  trustProxy?: boolean;
  version?: string;
  /** Metrics, CORS, timeouts (see system/server.ts). */
  operations?: OperationsOptions;
  /** Interval of keep-alive comments on change streams. */
  keepAliveMs?: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The open change streams (for metrics and shutdown). */
    streams: StreamHub;
  }
}

const ALL_METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const online = services.auth.options.online;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    // Fastify's request log has method, URL and address, never headers: no secret is logged.
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    ...serverOptions(options.operations ?? {}),
  });
  registerBodyParsers(app);
  registerErrorHandlers(app, { online, bodyLimit });
  registerOperations(app, services, options.operations ?? {});
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("request-id", request.id);
    done(null, payload);
  });

  const hub = new StreamHub({
    maxBufferedBytes: 1024 * 1024,
    maxPendingEvents: 10_000,
    keepAliveMs: options.keepAliveMs ?? 15_000,
  });
  const unsubscribe = services.bus.subscribe((events) => hub.publish(events));
  app.addHook("preClose", async () => {
    unsubscribe();
    hub.closeAll(1000);
  });
  app.decorate("streams", hub);
  let openApi: unknown;
  // One cache of rendered presence lists for REST and Agents: GetAll and GetChatPresence share it.
  const presenceRenderer = new PresenceRenderer();
  const routes: RouteSpec[] = [
    ...authRoutes(services),
    ...presenceRoutes(services, presenceRenderer),
    ...agentsPresenceRoutes(services, presenceRenderer),
    ...liveRoutes(services, hub),
    ...webhookRoutes(services),
    ...topicRoutes(services),
    ...memberRoutes(services),
    ...sessionRoutes(services),
    ...agentsTopicRoutes(services),
    ...agentsSessionRoutes(services),
    ...userRoutes(services),
    ...systemRoutes(() => openApi, services),
    ...credentialRoutes(services),
    ...metricsRoutes(services, options.operations ?? {}),
    ...webRoutes(),
  ];
  const authenticate = authenticator(services.auth);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      preHandler: route.auth ? authenticate : undefined,
      handler: boundHandler(route),
    });
  }
  registerMethodNotAllowed(app, routes, online);
  await app.register(soapRoutes, { services });

  openApi = buildOpenApi(routes, options.version ?? "0.0.0");
  return app;
}

/** A known path with the wrong verb is 405 with Allow (SuperOffice's Agents routes are POST only). */
function registerMethodNotAllowed(app: FastifyInstance, routes: RouteSpec[], online: boolean) {
  const allowed = new Map<string, Method[]>();
  for (const route of routes)
    allowed.set(route.url, [...(allowed.get(route.url) ?? []), route.method]);
  for (const [url, methods] of allowed) {
    const others = ALL_METHODS.filter(
      (m) => !methods.includes(m) && !(m === "GET" && methods.includes("GET")),
    );
    if (others.length === 0) continue;
    const allow = methods.join(", ");
    app.route({
      method: others,
      url,
      handler: (request, reply) => {
        reply.header("allow", allow);
        return sendError(
          request,
          reply,
          new PresenceError("PRES_ERR_METHOD", { method: request.method, allow }),
          online,
        );
      },
    });
  }
}
