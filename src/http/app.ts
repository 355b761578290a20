/** Builds the Fastify application: codecs, auth, error handling and every route. */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import { PresenceError } from "../domain/errors.ts";
import { StreamHub } from "../realtime/stream.ts";
import { type StreamLimits, streamLimits } from "../realtime/stream-limits.ts";
import type { Services } from "../service/services.ts";
import { agentsMessageRoutes } from "./agents/messages.ts";
import { agentsPresenceRoutes } from "./agents/presence.ts";
import { agentsSessionRoutes } from "./agents/sessions.ts";
import { agentsTopicRoutes } from "./agents/topics.ts";
import { authenticationHook, closeIfLongBody } from "./auth/authenticate.ts";
import { authRoutes } from "./auth/routes.ts";
import { PresenceRenderer } from "./carriers/presence-renderer.ts";
import { registerBodyParsers, xmlListGuard } from "./codecs/body.ts";
import { registerContentEncoding } from "./codecs/encoding.ts";
import { XML_LIMITS, type XmlLimits } from "./codecs/xml.ts";
import { registerErrorHandlers } from "./errors.ts";
import { boundHandler } from "./params.ts";
import { memberRoutes } from "./rest/members.ts";
import { messageRoutes } from "./rest/messages.ts";
import { MAX_ODATA_LENGTH } from "./rest/odata-query.ts";
import { presenceRoutes } from "./rest/presence.ts";
import { liveRoutes } from "./rest/presence-live.ts";
import { queueRoutes } from "./rest/queue.ts";
import { routingRoutes } from "./rest/routing.ts";
import { routingStreamRoutes } from "./rest/routing-stream.ts";
import { routingViewRoutes } from "./rest/routing-views.ts";
import { sessionStreamRoutes } from "./rest/session-stream.ts";
import { sessionRoutes } from "./rest/sessions.ts";
import { topicRoutes } from "./rest/topics.ts";
import { credentialRoutes, userRoutes } from "./rest/users.ts";
import { webhookEventTypeRoutes } from "./rest/webhook-event-types.ts";
import { webhookRoutes } from "./rest/webhooks.ts";
import { type Method, normalizeBasePath, type RouteSpec } from "./route.ts";
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
  /** Which proxies' X-Forwarded-* headers to honour (see trust-proxy.ts); none by default. */
  trustProxy?: FastifyServerOptions["trustProxy"];
  version?: string;
  /** Metrics, CORS, timeouts (see system/server.ts). */
  operations?: OperationsOptions;
  /** Interval of keep-alive comments on change streams. */
  keepAliveMs?: number;
  /** Open change streams per user and in all (defaults in stream-limits.ts). */
  streamLimits?: Partial<StreamLimits>;
  /** The longest value of each OData parameter, characters (default MAX_ODATA_LENGTH). */
  odataMaxLength?: number;
  /** Limits of XML bodies, REST and SOAP (default XML_LIMITS). */
  xmlLimits?: Partial<XmlLimits>;
  /**
   * The site path every route, SOAP endpoint and the dashboard are served under
   * (`/SuperOffice`); the root by default. See normalizeBasePath.
   */
  basePath?: string;
  /** GET /api/v1/Availability answers anonymous callers too (chat widgets on public pages). */
  publicAvailability?: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The open change streams (for metrics and shutdown). */
    streams: StreamHub;
    /** The longest value of each OData parameter, characters. */
    odataMaxLength: number;
    /** The site path routes are served under: "" at the root, else `/SuperOffice` etc. */
    basePath: string;
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
  const xmlLimits = { ...XML_LIMITS, ...options.xmlLimits };
  registerContentEncoding(app, bodyLimit);
  registerBodyParsers(app, xmlLimits);
  app.decorate("odataMaxLength", options.odataMaxLength ?? MAX_ODATA_LENGTH);
  const basePath = normalizeBasePath(options.basePath ?? "/");
  app.decorate("basePath", basePath);
  // After the operations hooks (shutdown, CORS), whose headers an error answer also carries.
  registerOperations(app, services, options.operations ?? {});
  registerErrorHandlers(app, { online, bodyLimit });
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("request-id", request.id);
    done(null, payload);
  });

  const hub = new StreamHub({
    maxBufferedBytes: 1024 * 1024,
    maxPendingEvents: 10_000,
    keepAliveMs: options.keepAliveMs ?? 15_000,
    ...streamLimits(options.streamLimits),
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
    ...webhookEventTypeRoutes(services),
    ...topicRoutes(services),
    ...routingRoutes(services),
    ...queueRoutes(services, { publicAvailability: options.publicAvailability }),
    ...memberRoutes(services),
    ...sessionRoutes(services),
    ...messageRoutes(services),
    ...sessionStreamRoutes(services, hub),
    ...routingStreamRoutes(services, hub),
    ...routingViewRoutes(services),
    ...agentsTopicRoutes(services),
    ...agentsSessionRoutes(services),
    ...agentsMessageRoutes(services),
    ...userRoutes(services),
    ...systemRoutes(() => openApi, services),
    ...credentialRoutes(services),
    ...metricsRoutes(services, options.operations ?? {}),
    ...webRoutes(),
  ];
  const authenticate = authenticationHook(services.auth);
  const served = servedUrls(routes, basePath);
  for (const { route, url } of served) {
    app.route({
      method: route.method,
      url,
      // onRequest runs before the body is read: a caller without valid credentials is refused
      // before any of it is parsed (a short body is drained, never buffered; see DRAIN_LIMIT).
      onRequest: route.auth ? authenticate : undefined,
      preHandler: xmlListGuard(route.body?.schema),
      handler: boundHandler(route),
    });
  }
  // The dashboard's URLs are relative to its page, so the page is always at the base path's `/`.
  if (basePath) app.get(basePath, (_request, reply) => reply.redirect(`${basePath}/`, 308));
  registerMethodNotAllowed(app, served);
  await app.register(soapRoutes, {
    services,
    xmlLimits,
    prefix: basePath,
    version: options.version,
  });

  openApi = buildOpenApi(routes, options.version ?? "0.0.0", basePath);
  return app;
}

/** Each route under the base path, and the probes also at the root. */
function servedUrls(routes: RouteSpec[], basePath: string) {
  return routes.flatMap((route) => [
    { route, url: basePath + route.url },
    ...(basePath && route.alsoAtRoot ? [{ route, url: route.url }] : []),
  ]);
}

/** A known path with the wrong verb is 405 with Allow (SuperOffice's Agents routes are POST only). */
function registerMethodNotAllowed(
  app: FastifyInstance,
  served: { route: RouteSpec; url: string }[],
) {
  const allowed = new Map<string, Method[]>();
  for (const { route, url } of served)
    allowed.set(url, [...(allowed.get(url) ?? []), route.method]);
  for (const [url, methods] of allowed) {
    const others = ALL_METHODS.filter(
      (m) => !methods.includes(m) && !(m === "GET" && methods.includes("GET")),
    );
    if (others.length === 0) continue;
    const allow = methods.join(", ");
    // Refused in onRequest, so a body sent with the wrong verb is never parsed.
    const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header("allow", allow);
      closeIfLongBody(request, reply);
      throw new PresenceError("PRES_ERR_METHOD", { method: request.method, allow });
    };
    app.route({ method: others, url, onRequest: refuse, handler: refuse });
  }
}
