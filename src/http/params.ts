/**
 * Path and query parameters bound from their declaration: the RouteSpec's `parameters` that
 * /openapi.json documents are also what checks and converts them, before the handler runs
 * (as Fastify's schema.params and schema.querystring both validate and document). Handlers
 * read the typed values from `request.bound`.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { PresenceError } from "../domain/errors.ts";
import type { ParameterSpec, RouteSpec } from "./route.ts";

type Value = number | boolean | string;

/** The bound parameters of a request, by declared name. */
export class BoundParameters {
  constructor(private readonly values: ReadonlyMap<string, Value>) {}

  /** A declared integer; throws when it is absent (only for optional query parameters). */
  int(name: string): number {
    const value = this.optionalInt(name);
    if (value === undefined) throw new Error(`integer parameter ${name} is not bound`);
    return value;
  }

  /** A declared integer, or undefined when the query leaves it out. */
  optionalInt(name: string): number | undefined {
    return this.values.get(name) as number | undefined;
  }

  /** A declared boolean: false when the query leaves it out. */
  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  /** A declared text query parameter, or undefined when the query leaves it out. */
  text(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }

  /** A text path segment ("" when the route has none of that name). */
  segment(name: string): string {
    return (this.values.get(name) as string | undefined) ?? "";
  }
}

declare module "fastify" {
  interface FastifyRequest {
    /** The route's declared path and query parameters, checked and converted. */
    bound: BoundParameters;
  }
}

const INT32 = /^[-+]?\d{1,10}$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The one int32 rule, .NET's Int32 parse: optional sign, digits, surrounding blanks allowed,
 * inside the 32-bit range; then at least `minimum` when one is declared.
 */
export function parseInt32(text: string, minimum = INT32_MIN): number | null {
  const trimmed = text.trim();
  if (!INT32.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= minimum && value <= INT32_MAX ? value : null;
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

/** What an integer parameter expects, as its error says it. */
function expectation(spec: ParameterSpec): string {
  if (spec.expected) return spec.expected;
  if (spec.minimum === undefined) return "an integer";
  return spec.minimum > 0 ? "a positive integer" : "a whole number";
}

/** The one error of a parameter that cannot be bound (or the declared not-found error). */
function invalid(spec: ParameterSpec, raw: string, detail: string): PresenceError {
  if (spec.notFound) return new PresenceError(spec.notFound.code, { [spec.notFound.param]: raw });
  const code = spec.in === "path" ? "PRES_ERR_BAD_PATH" : "PRES_ERR_BAD_QUERY";
  return new PresenceError(code, { name: spec.name, detail });
}

function convert(spec: ParameterSpec, raw: string): Value {
  switch (spec.schema.type) {
    case "integer": {
      const value = parseInt32(raw, spec.minimum);
      if (value === null) throw invalid(spec, raw, `expected ${expectation(spec)}, got "${raw}"`);
      return value;
    }
    case "boolean": {
      const lower = raw.trim().toLowerCase();
      if (lower === "true" || lower === "1") return true;
      if (lower === "false" || lower === "0") return false;
      throw invalid(spec, raw, `expected true or false, got "${raw}"`);
    }
    default:
      return raw;
  }
}

/** Binds every declared path and query parameter of the request, or throws the first error. */
function bindParameters(request: FastifyRequest, specs: readonly ParameterSpec[]) {
  const values = new Map<string, Value>();
  for (const spec of specs) {
    if (spec.in === "path") {
      values.set(spec.name, convert(spec, (request.params as Record<string, string>)[spec.name]));
      continue;
    }
    const raw = queryValue(request, spec.name);
    // An empty value is an absent one, as the .NET binder sees `?top=`.
    if (raw === undefined || raw === "") {
      if (spec.required) throw invalid(spec, "", "it is required");
      continue;
    }
    values.set(spec.name, convert(spec, raw));
  }
  return new BoundParameters(values);
}

/** The route's handler, run once its declared path and query parameters are bound. */
export function boundHandler(route: RouteSpec): RouteSpec["handler"] {
  const specs = (route.parameters ?? []).filter((p) => p.in === "path" || p.in === "query");
  if (specs.length === 0) return route.handler;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    request.bound = bindParameters(request, specs);
    return route.handler(request, reply);
  };
}
