/**
 * Shared plumbing of the chat routes: declaring their parameters, and sending a carrier as
 * JSON or XML (by Accept) with SuperOffice's `$select`, for REST and Agents alike.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { ARRAYS_NS, DATA_CONTRACT_NS, INSTANCE_NS } from "../codecs/namespaces.ts";
import { negotiate } from "../codecs/negotiate.ts";
import { defaultOf, INT32, type Schema } from "../codecs/schema.ts";
import { queryValue } from "../params.ts";
import type { ParameterSpec, ResponseSpec } from "../route.ts";
import { carrierXml, rootName, type XmlStyle } from "./xml.ts";

/** A carrier with its own URL (`_Links.Self`, the path under the site's base path). */
export function withSelfLink(
  carrier: object,
  { server }: FastifyRequest,
  path: string,
): Record<string, unknown> {
  return { ...carrier, _Links: { Self: `${server.basePath}${path}` } };
}

export const SELECT_PARAMETER: ParameterSpec = {
  name: "$select",
  in: "query",
  description:
    "Comma-separated properties to include; the others are nulled out (0/false for numbers and booleans)",
  schema: { type: "string" },
};

export const CARRIER_TYPES = ["application/json", "text/json", "application/xml", "text/xml"];

/** A response carrying `schema` in every carrier format (JSON or XML, by Accept). */
export function carrierResponse(schema: Schema, description = "OK"): ResponseSpec {
  return { description, schema, contentTypes: CARRIER_TYPES };
}

/** An int32 path parameter (any int32: the service answers one that names nothing). */
export function pathIntParameter(name: string, description: string): ParameterSpec {
  return { name, in: "path", description, schema: INT32 };
}

/** A text path parameter (a username or an id). */
export function pathTextParameter(name: string, description: string): ParameterSpec {
  return { name, in: "path", description, schema: { type: "string" } };
}

/** Keeps the selected top-level properties of an object carrier and defaults the rest. */
function applySelect(value: unknown, schema: Schema, select: string | undefined): unknown {
  if (!select?.trim() || value === null) return value;
  if (schema.type === "array") {
    return (value as unknown[]).map((item) => applySelect(item, schema.items, select));
  }
  if (schema.type !== "object") return value;
  const wanted = new Set(select.split(",").map((s) => s.trim().toLowerCase()));
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    result[name] = wanted.has(name.toLowerCase()) ? source[name] : defaultOf(property);
  }
  return result;
}

/** REST's XML: unprefixed elements under the root's default namespace, `i:nil`, `a:` arrays. */
const REST_STYLE: XmlStyle = {
  name: (local) => local,
  nil: 'i:nil="true"',
  simpleItem: (type) => `a:${type}`,
  simpleListXmlns: ` xmlns:a="${ARRAYS_NS}"`,
};

/** Sends a carrier, list or scalar in the negotiated format, after `$select` when given. */
export function sendCarrier(
  request: FastifyRequest,
  reply: FastifyReply,
  value: unknown,
  schema: Schema,
  status = 200,
) {
  const selected = applySelect(value, schema, queryValue(request, "$select"));
  const format = negotiate(request.headers.accept);
  reply.code(status).type(format.contentType);
  if (format.format === "json") return reply.send(JSON.stringify(selected ?? null));
  const xml = carrierXml(rootName(schema), selected, schema, REST_STYLE).replace(
    /^<([\w:]+)/,
    `<$1 xmlns="${DATA_CONTRACT_NS}" xmlns:i="${INSTANCE_NS}"`,
  );
  return reply.send(`<?xml version="1.0" encoding="utf-8"?>${xml}`);
}

/** A handler that sends what `load` gives as a `schema` carrier (JSON or XML, `$select`). */
export function sendsCarrier(
  schema: Schema,
  load: (request: FastifyRequest) => Promise<unknown>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return async (request, reply) => sendCarrier(request, reply, await load(request), schema);
}
