/**
 * Path and query parameters bound from their declaration: the RouteSpec's `parameters` that
 * /openapi.json documents are also what checks and converts them (as Fastify's schema.params
 * and schema.querystring both validate and document). Handlers read the typed values from
 * `request.bound`. Each parameter is bound when the handler first reads it, so a request that
 * is wrong twice over (a bad `$top` on a missing topic, a bad id from a non-admin) gets the
 * error it always got: the one of the check the handler makes first.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Localized, localized, PresenceError } from "../domain/errors.ts";
import type { ParameterSpec, ParameterStyle, RouteSpec } from "./route.ts";

type Value = number | boolean | string;

/** The declared parameters of a request, bound by name on first read. */
export class BoundParameters {
  private readonly values = new Map<string, Value | undefined>();

  constructor(
    private readonly request: FastifyRequest,
    private readonly specs: ReadonlyMap<string, ParameterSpec>,
  ) {}

  /** A declared integer; throws when it is absent (only for optional query parameters). */
  int(name: string): number {
    const value = this.optionalInt(name);
    if (value === undefined) throw new Error(`integer parameter ${name} is not bound`);
    return value;
  }

  /** A declared integer, or undefined when the query leaves it out. */
  optionalInt(name: string): number | undefined {
    return this.value(name) as number | undefined;
  }

  /** A declared boolean: false when the query leaves it out. */
  bool(name: string): boolean {
    return this.value(name) === true;
  }

  /** A declared text query parameter, or undefined when the query leaves it out. */
  text(name: string): string | undefined {
    return this.value(name) as string | undefined;
  }

  /** A text path segment ("" when the route has none of that name). */
  segment(name: string): string {
    return this.specs.has(name) ? ((this.value(name) as string | undefined) ?? "") : "";
  }

  private value(name: string): Value | undefined {
    if (this.values.has(name)) return this.values.get(name);
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`parameter ${name} is not declared`);
    const value = bindParameter(this.request, spec);
    this.values.set(name, value);
    return value;
  }
}

declare module "fastify" {
  interface FastifyRequest {
    /** The route's declared path and query parameters, checked and converted. */
    bound: BoundParameters;
  }
}

const DOTNET_INT = /^[-+]?\d{1,10}$/;
const PLAIN_INT = /^\d+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** What the int32 rule may be told beyond the range: a minimum, plain digits, a length cap. */
export interface Int32Rule {
  minimum?: number;
  style?: ParameterStyle;
  maxDigits?: number;
}

/**
 * The one int32 rule: the 32-bit range, and at least `minimum` when one is declared. The text
 * is read as .NET's Int32 parse does (optional sign, blanks around, at most 10 digits), or in
 * the plain style as digits only (at most `maxDigits` when declared).
 */
export function parseInt32(text: string, rule: Int32Rule = {}): number | null {
  const plain = rule.style === "plain";
  const digits = plain ? text : text.trim();
  if (!(plain ? PLAIN_INT : DOTNET_INT).test(digits)) return null;
  if (rule.maxDigits !== undefined && digits.length > rule.maxDigits) return null;
  const value = Number(digits);
  return value >= (rule.minimum ?? INT32_MIN) && value <= INT32_MAX ? value : null;
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

/** The plain style: the name as written; a repeated parameter is its values' joined text. */
function plainQueryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return value === undefined ? undefined : String(value);
}

/** What an integer parameter expects, as its error says it. */
function expectation(spec: ParameterSpec): Localized {
  if (spec.expected) return spec.expected;
  if (spec.minimum === undefined) return localized("an integer", "et heltall");
  return spec.minimum > 0
    ? localized("a positive integer", "et positivt heltall")
    : localized("a whole number", "et heltall fra 0 og opp");
}

function got(expected: Localized, raw: string): Localized {
  return localized(
    `expected ${expected.en}, got "${raw}"`,
    `forventet ${expected.nb}, fikk «${raw}»`,
  );
}

/** The one error of a parameter that cannot be bound (or the declared not-found error). */
function invalid(spec: ParameterSpec, raw: string, detail: Localized): PresenceError {
  if (spec.notFound) return new PresenceError(spec.notFound.code, { [spec.notFound.param]: raw });
  const code = spec.in === "path" ? "PRES_ERR_BAD_PATH" : "PRES_ERR_BAD_QUERY";
  return new PresenceError(code, { name: spec.name, detail });
}

function convert(spec: ParameterSpec, raw: string): Value {
  switch (spec.schema.type) {
    case "integer": {
      const value = parseInt32(raw, spec);
      if (value === null) throw invalid(spec, raw, got(expectation(spec), raw));
      return value;
    }
    case "boolean": {
      const lower = raw.trim().toLowerCase();
      if (lower === "true" || lower === "1") return true;
      if (lower === "false" || lower === "0") return false;
      throw invalid(spec, raw, got(localized("true or false", "true eller false"), raw));
    }
    default:
      return raw;
  }
}

/** Binds one declared path or query parameter, or throws its error. */
function bindParameter(request: FastifyRequest, spec: ParameterSpec): Value | undefined {
  if (spec.in === "path")
    return convert(spec, (request.params as Record<string, string>)[spec.name]);
  const raw =
    spec.style === "plain" ? plainQueryValue(request, spec.name) : queryValue(request, spec.name);
  // An empty value is an absent one, as the .NET binder sees `?top=`.
  if (raw === undefined || raw === "") {
    if (spec.required) throw invalid(spec, "", localized("it is required", "den er påkrevd"));
    return undefined;
  }
  return convert(spec, raw);
}

/** The route's handler, given its declared path and query parameters as `request.bound`. */
export function boundHandler(route: RouteSpec): RouteSpec["handler"] {
  const specs = new Map(
    (route.parameters ?? [])
      .filter((p) => p.in === "path" || p.in === "query")
      .map((p) => [p.name, p]),
  );
  if (specs.size === 0) return route.handler;
  return (request: FastifyRequest, reply: FastifyReply) => {
    request.bound = new BoundParameters(request, specs);
    return route.handler(request, reply);
  };
}
