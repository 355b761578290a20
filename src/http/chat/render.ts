/**
 * Shared plumbing of the chat routes: reading path and query parameters, and sending a
 * carrier as JSON or XML (by Accept) with SuperOffice's `$select`. Agents routes answer a
 * missing entity with `null` instead of 404, as the official clients expect.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { PresenceError } from "../../domain/errors.ts";
import { negotiate } from "../codecs/negotiate.ts";
import { defaultOf, type Schema } from "../codecs/schema.ts";
import { escapeXml } from "../codecs/xml.ts";
import type { ParameterSpec, ResponseSpec } from "../route.ts";

const INT32 = /^[-+]?\d{1,10}$/;

function toInt32(text: string): number | null {
  if (!INT32.test(text.trim())) return null;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : null;
}

export function pathInt(request: FastifyRequest, name: string): number {
  const raw = (request.params as Record<string, string>)[name] ?? "";
  const value = toInt32(raw);
  if (value === null) {
    throw new PresenceError("PRES_ERR_BAD_PATH", {
      name,
      detail: `expected an integer, got "${raw}"`,
    });
  }
  return value;
}

export function pathText(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name] ?? "";
}

/** A query parameter by name, matched case-insensitively as .NET model binding does. */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, string | string[] | undefined>;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(query)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export function queryInt(request: FastifyRequest, name: string, required = true): number | null {
  const raw = queryValue(request, name);
  if (raw === undefined || raw === "") {
    if (!required) return null;
    throw new PresenceError("PRES_ERR_BAD_QUERY", { name, detail: "it is required" });
  }
  const value = toInt32(raw);
  if (value === null) {
    throw new PresenceError("PRES_ERR_BAD_QUERY", {
      name,
      detail: `expected an integer, got "${raw}"`,
    });
  }
  return value;
}

export function queryBool(request: FastifyRequest, name: string): boolean {
  const raw = queryValue(request, name);
  if (raw === undefined || raw === "") return false;
  const lower = raw.trim().toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new PresenceError("PRES_ERR_BAD_QUERY", {
    name,
    detail: `expected true or false, got "${raw}"`,
  });
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

/** An int32 path parameter, as pathInt reads it. */
export function pathIntParameter(name: string, description: string): ParameterSpec {
  return { name, in: "path", description, schema: { type: "integer", format: "int32" } };
}

/** A text path parameter (a username or an id), as pathText reads it. */
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

const DATA_CONTRACT_NS = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services";
const INSTANCE_NS = "http://www.w3.org/2001/XMLSchema-instance";
const ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

function itemName(schema: Schema): string {
  if (schema.type === "object") return schema.title ?? "anyType";
  return schema.type === "integer" ? "a:int" : schema.type === "boolean" ? "a:boolean" : "a:string";
}

/** The DataContract XML of a value: nil for null, ArrayOf… for lists, elements per property. */
function xmlOf(name: string, value: unknown, schema: Schema): string {
  if (value === null || value === undefined) return `<${name} i:nil="true"/>`;
  if (schema.type === "array") {
    const ns = schema.items.type === "object" ? "" : ` xmlns:a="${ARRAYS_NS}"`;
    const items = (value as unknown[]).map((v) => xmlOf(itemName(schema.items), v, schema.items));
    return `<${name}${ns}>${items.join("")}</${name}>`;
  }
  if (schema.type === "object") {
    const source = value as Record<string, unknown>;
    const body = Object.entries(schema.properties)
      .map(([key, property]) => xmlOf(key, source[key], property))
      .join("");
    return `<${name}>${body}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function rootName(schema: Schema): string {
  if (schema.type === "array") return `ArrayOf${itemName(schema.items).replace(/^a:/, "")}`;
  if (schema.type === "object") return schema.title ?? "Response";
  return schema.type === "integer" ? "int" : schema.type;
}

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
  const xml = xmlOf(rootName(schema), selected, schema).replace(
    /^<([\w:]+)/,
    `<$1 xmlns="${DATA_CONTRACT_NS}" xmlns:i="${INSTANCE_NS}"`,
  );
  return reply.send(`<?xml version="1.0" encoding="utf-8"?>${xml}`);
}

/** Errors an Agents caller gets as a null result: the entity is missing or taken, or the caller is full. */
const NULL_ON_AGENTS = new Set([
  "PRES_ERR_NO_TOPIC",
  "PRES_ERR_NO_SESSION",
  "PRES_ERR_NO_USER",
  "PRES_ERR_NO_MEMBER",
  "PRES_ERR_NOT_IN_QUEUE",
  "PRES_ERR_AT_CAPACITY",
  "PRES_ERR_NOT_ONGOING",
  "PRES_ERR_NO_TRANSFER",
  "PRES_ERR_CHANGED",
]);

/** Runs an Agents operation, answering null where REST would say 404 or lost-race 409. */
export async function orNull<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PresenceError && NULL_ON_AGENTS.has(error.code)) return null;
    throw error;
  }
}
