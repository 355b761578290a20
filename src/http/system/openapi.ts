/** /openapi.json, generated from the RouteSpecs and the schemas that bind their input. */
import type { Schema } from "../codecs/schema.ts";
import type { RouteSpec } from "../route.ts";

type Json = Record<string, unknown>;

/** Paths are relative to `servers`, which names the site's base path (`/` at the root). */
export function buildOpenApi(routes: readonly RouteSpec[], version: string, basePath = ""): Json {
  const components: Record<string, Json> = {};

  /** Named object schemas become components and are referenced, as the SuperOffice files do. */
  function toJsonSchema(schema: Schema): Json {
    if (schema.type === "array") return { ...schema, items: toJsonSchema(schema.items) };
    if (schema.type !== "object") return { ...schema };
    const properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, toJsonSchema(v)]),
    );
    const { title, ...rest } = schema;
    const expanded = { ...rest, properties };
    if (!title) return expanded;
    components[title] = expanded;
    return { $ref: `#/components/schemas/${title}` };
  }

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const url = route.url.replace(/:(\w+)/g, "{$1}");
    const operation: Json = {
      tags: [route.tag],
      summary: route.summary,
      operationId: route.operationId,
      parameters: (route.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        description: p.description,
        required: p.required ?? p.in === "path",
        schema: toJsonSchema(p.schema),
      })),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => {
          const content = response.schema
            ? Object.fromEntries(
                (response.contentTypes ?? ["application/json"]).map((t) => [
                  t,
                  { schema: toJsonSchema(response.schema as Schema) },
                ]),
              )
            : undefined;
          return [
            status,
            content
              ? { description: response.description, content }
              : { description: response.description },
          ];
        }),
      ),
    };
    if (route.body) {
      const schema = toJsonSchema(route.body.schema);
      operation.requestBody = {
        required: route.body.required,
        description: route.body.description,
        content: Object.fromEntries(route.body.contentTypes.map((t) => [t, { schema }])),
      };
    }
    if (route.auth)
      operation.security = [{ Basic: [] }, { SoTicket: [] }, { Bearer: [] }, { Session: [] }];
    if (route.extension)
      operation["x-extension"] = "Not part of the SuperOffice API: a chat-presence extension";
    paths[url] ??= {};
    paths[url][route.method.toLowerCase()] = operation;
  }

  return {
    openapi: "3.0.3",
    info: {
      title: "chat-presence",
      version,
      description:
        "The SuperOffice NetServer chat presence API (Presence and Agents/Chat routes) plus extensions, which are marked x-extension.",
    },
    servers: [{ url: basePath || "/" }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        Basic: {
          type: "http",
          scheme: "basic",
          description: "username:password (refused in online mode)",
        },
        SoTicket: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "SoTicket 7T:…",
        },
        Bearer: { type: "http", scheme: "bearer", description: "Bearer 8A:…" },
        Session: {
          type: "apiKey",
          in: "cookie",
          name: "chat_presence_session",
          description: "Browser session; send X-XSRF-TOKEN on changes",
        },
      },
    },
  };
}
