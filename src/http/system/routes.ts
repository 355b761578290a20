/** The operator routes, documented in /openapi.json like every other route. */
import type { ObjectSchema } from "../codecs/schema.ts";
import type { RouteSpec } from "../route.ts";

const HEALTH: ObjectSchema = {
  type: "object",
  title: "Health",
  properties: { status: { type: "string", description: '"ok" while the server is up' } },
};

/** `openApi` is read per request: the document is built after the route list it describes. */
export function systemRoutes(openApi: () => unknown): RouteSpec[] {
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
      operationId: "Health",
      summary: "Liveness check for load balancers and orchestrators; no sign-in needed",
      tag: "System",
      auth: false,
      extension: true,
      responses: { 200: { description: "The server is up", schema: HEALTH } },
      handler: async () => ({ status: "ok" }),
    },
  ];
}
