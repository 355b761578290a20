/**
 * Every route is declared once as a RouteSpec: Fastify serves it and /openapi.json documents
 * it from the same schemas that bind its input (bodies in codecs/, parameters in params.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode, Localized } from "../domain/errors.ts";
import type { Actor } from "../domain/presence.ts";
import type { Schema } from "./codecs/schema.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ResponseSpec {
  description: string;
  schema?: Schema;
  /** Media types this response is offered in; JSON when omitted. */
  contentTypes?: string[];
}

/** How a parameter is read: as SuperOffice's .NET binder does, or plainly (our extensions). */
export type ParameterStyle = "dotnet" | "plain";

export interface ParameterSpec {
  name: string;
  in: "query" | "path" | "header";
  description: string;
  schema: Schema;
  required?: boolean;
  /**
   * How the value is read (params.ts). "dotnet" (the default, SuperOffice's routes): the query
   * name in any case, integers with optional sign and blanks. "plain" (our extensions): the
   * name as written, integers as digits only.
   */
  style?: ParameterStyle;
  /** Integers only: the smallest value bound (the whole int32 range when omitted). */
  minimum?: number;
  /** Integers only: at most this many digits. */
  maxDigits?: number;
  /** Integers only: what the error for a value outside the rule says is expected. */
  expected?: Localized;
  /** A value that cannot be bound names no entity: this registry error, the raw value as `param`. */
  notFound?: { code: ErrorCode; param: string };
}

export interface RouteSpec {
  method: Method;
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Whether a signed-in caller is required (almost every route). */
  auth: boolean;
  /** True for what SuperOffice does not have; /openapi.json marks it `x-extension`. */
  extension?: boolean;
  /**
   * Also served at the root when the site has a base path: probes and scrapers (health,
   * readiness, metrics) address the host, not the site.
   */
  alsoAtRoot?: boolean;
  parameters?: ParameterSpec[];
  body?: { schema: Schema; required: boolean; contentTypes: string[]; description?: string };
  responses: Record<number, ResponseSpec>;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** What every route of one group (an entity, a surface) declares alike. */
export interface RouteGroup {
  tag: string;
  /** Put before each operation's name: SuperOffice's `v1ChatSessionEntity_` and the like. */
  operationPrefix?: string;
  /** Signed-in callers only, unless false. */
  auth?: boolean;
  extension?: boolean;
}

/** A route's own part of its declaration; the group supplies the rest. */
export type RouteDetails = Omit<
  RouteSpec,
  "method" | "url" | "operationId" | "summary" | "tag" | "auth"
> & { auth?: boolean };

/**
 * Declares the routes of one group as a table of rows, one per route:
 * `route("GET /api/v1/ChatTopic/:id", "GetChatTopicEntity", summary, details)`.
 */
export function routeGroup(group: RouteGroup) {
  return (
    endpoint: `${Method} /${string}`,
    name: string,
    summary: string,
    details: RouteDetails,
  ): RouteSpec => {
    const [method, url] = endpoint.split(" ") as [Method, string];
    return {
      method,
      url,
      operationId: `${group.operationPrefix ?? ""}${name}`,
      summary,
      tag: group.tag,
      auth: group.auth ?? true,
      ...(group.extension && { extension: true }),
      ...details,
    };
  };
}

/** A handler that does `work` and answers 204 No Content. */
export function noContent(
  work: (request: FastifyRequest) => Promise<unknown>,
): RouteSpec["handler"] {
  return async (request, reply) => {
    await work(request);
    return reply.code(204).send();
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller, set by the auth hook on routes with `auth: true`. */
    actor: Actor;
  }
}

/**
 * A site path such as `/SuperOffice` or `/Cust12345` (SuperOffice's on-site and Online
 * installations), in the form routes are prefixed with: "" for the root, else a leading slash
 * and no trailing one. Segments are URL-safe words (letters, digits, `-._~`), so the path is
 * the same whether or not a client percent-encodes it; anything else throws.
 */
export function normalizeBasePath(value: string): string {
  const segments = value.trim().split("/").filter(Boolean);
  for (const segment of segments) {
    if (!/^[A-Za-z0-9._~-]+$/.test(segment) || segment === "." || segment === "..")
      throw new Error(`"${segment}" is not a path segment (letters, digits, - . _ ~)`);
  }
  return segments.map((s) => `/${s}`).join("");
}
