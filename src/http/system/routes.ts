/** The operator routes, documented in /openapi.json like every other route. */
import type { FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import { assertAdmin } from "../../domain/rights.ts";
import { secretsEqual } from "../../service/secrets.ts";
import type { Services } from "../../service/services.ts";
import { authenticator, header } from "../auth/authenticate.ts";
import type { ObjectSchema } from "../codecs/schema.ts";
import type { RouteSpec } from "../route.ts";
import type { OperationsOptions } from "./server.ts";

const READY_TIMEOUT_MS = 2_000;

const READY: ObjectSchema = {
  type: "object",
  title: "Readiness",
  properties: { status: { type: "string", description: '"ready" when the store answers' } },
};

const HEALTH: ObjectSchema = {
  type: "object",
  title: "Health",
  properties: { status: { type: "string", description: '"ok" while the server is up' } },
};

/** `openApi` is read per request: the document is built after the route list it describes. */
export function systemRoutes(openApi: () => unknown, services: Services): RouteSpec[] {
  return [
    {
      method: "GET",
      url: "/openapi.json",
      operationId: "OpenApi",
      summary: "This OpenAPI 3 document: every route of the server",
      tag: "System",
      auth: false,
      extension: true,
      responses: { 200: { description: "The OpenAPI document" } },
      handler: async () => openApi(),
    },
    {
      method: "GET",
      url: "/healthz",
      alsoAtRoot: true,
      operationId: "Health",
      summary: "Liveness check for load balancers and orchestrators; no sign-in needed",
      tag: "System",
      auth: false,
      extension: true,
      responses: { 200: { description: "The server is up", schema: HEALTH } },
      handler: async () => ({ status: "ok" }),
    },
    {
      method: "GET",
      url: "/readyz",
      alsoAtRoot: true,
      operationId: "Ready",
      summary:
        "Readiness: 200 when the store answers, 503 when it cannot be reached or the server is stopping",
      tag: "System",
      auth: false,
      extension: true,
      responses: {
        200: { description: "Ready to serve", schema: READY },
        503: { description: "The store cannot be reached, or the server is shutting down" },
      },
      async handler() {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new PresenceError("PRES_ERR_UNAVAILABLE", {
                  detail: `the store did not answer within ${READY_TIMEOUT_MS} ms`,
                }),
              ),
            READY_TIMEOUT_MS,
          );
        });
        try {
          await Promise.race([services.health.ping(), timeout]);
        } catch (error) {
          if (error instanceof PresenceError) throw error;
          throw new PresenceError("PRES_ERR_UNAVAILABLE", {
            detail: "the store cannot be reached",
          });
        } finally {
          clearTimeout(timer);
        }
        return { status: "ready" };
      },
    },
  ];
}

/** /metrics, when metrics are kept: administrators, or the metrics token as a Bearer. */
export function metricsRoutes(services: Services, options: OperationsOptions): RouteSpec[] {
  const { metrics, metricsToken } = options;
  if (!metrics) return [];
  const authenticate = authenticator(services.auth);

  async function mayReadMetrics(request: FastifyRequest): Promise<void> {
    const authorization = header(request, "authorization");
    if (metricsToken && authorization && secretsEqual(authorization, `Bearer ${metricsToken}`))
      return;
    await authenticate(request);
    assertAdmin(request.actor);
  }

  return [
    {
      method: "GET",
      url: "/metrics",
      alsoAtRoot: true,
      operationId: "Metrics",
      summary: "Prometheus metrics (administrators, or Authorization: Bearer <metrics token>)",
      tag: "System",
      auth: false,
      extension: true,
      responses: {
        200: { description: "Prometheus text format", contentTypes: ["text/plain"] },
        401: { description: "No credentials, or wrong ones" },
        403: { description: "Not an administrator" },
      },
      async handler(request, reply) {
        await mayReadMetrics(request);
        const text = await metrics.render();
        return reply.type(metrics.contentType).header("cache-control", "no-store").send(text);
      },
    },
  ];
}
