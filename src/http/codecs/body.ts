/**
 * Request body codecs: every content type the SuperOffice docs list, with or without a charset.
 * Parsers only decode; binding to a route's schema happens in `readBody`, so JSON, XML and form
 * bodies go through one set of rules.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { localized, PresenceError } from "../../domain/errors.ts";
import { FormError, parseForm } from "./form.ts";
import { BindError, bind, type ObjectSchema, type Schema } from "./schema.ts";
import { isNil, isXmlElement, parseXml, XML_LIMITS, XmlError, type XmlLimits } from "./xml.ts";

export const JSON_TYPES = [
  "application/json",
  "text/json",
  "application/json-patch+json",
  "application/merge-patch+json",
];
export const XML_TYPES = ["application/xml", "text/xml"];
export const FORM_TYPES = ["application/x-www-form-urlencoded"];
export const BODY_TYPES = [...JSON_TYPES, ...XML_TYPES, ...FORM_TYPES];

export type ParsedBody =
  | { format: "json"; value: unknown }
  | { format: "xml"; value: ReturnType<typeof parseXml> }
  | { format: "form"; value: Record<string, unknown> };

function unsupported(contentType: string): PresenceError {
  return new PresenceError("PRES_ERR_MEDIA_TYPE", {
    contentType,
    supported: BODY_TYPES.join(", "),
  });
}

/** Decodes by the declared charset (UTF-8 by default); invalid bytes are a 400, not mojibake. */
function decode(body: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw unsupported(contentType);
  }
  try {
    return decoder.decode(body);
  } catch {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: localized(`the body is not valid ${charset}`, `innholdet er ikke gyldig ${charset}`),
    });
  }
}

function parse(
  format: ParsedBody["format"],
  text: string,
  xmlLimits: XmlLimits,
): ParsedBody | undefined {
  if (text.trim() === "") return undefined;
  try {
    if (format === "json") return { format, value: JSON.parse(text) };
    if (format === "xml") return { format, value: parseXml(text, xmlLimits) };
    return { format, value: parseForm(text) };
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof XmlError || error instanceof FormError) {
      throw new PresenceError("PRES_ERR_BAD_BODY", { detail: error.message });
    }
    throw error;
  }
}

export function registerBodyParsers(app: FastifyInstance, xmlLimits = XML_LIMITS): void {
  app.removeAllContentTypeParsers();
  const formats: [string[], ParsedBody["format"]][] = [
    [JSON_TYPES, "json"],
    [XML_TYPES, "xml"],
    [FORM_TYPES, "form"],
  ];
  for (const [types, format] of formats) {
    app.addContentTypeParser(types, { parseAs: "buffer" }, (request, body, done) => {
      try {
        const text = decode(body as Buffer, request.headers["content-type"] ?? "");
        done(null, parse(format, text, xmlLimits));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
}

/** The decoded body, unbound; throws 415 without a Content-Type and 400 when it is empty. */
export function requireBody(request: FastifyRequest): unknown {
  const body = request.body as ParsedBody | undefined;
  if (body === undefined) {
    if (!request.headers["content-type"]) throw unsupported("(none)");
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: localized("the body is empty", "innholdet er tomt"),
    });
  }
  // Every route that takes a body needs a value: JSON `null` or a nil XML root is no body.
  if (body.value === null || (isXmlElement(body.value) && isNil(body.value))) {
    throw new PresenceError("PRES_ERR_BAD_BODY", {
      detail: localized("the body is null", "innholdet er null"),
    });
  }
  return body.value;
}

/**
 * An optional body bound to a schema: null when there is none (absent, JSON `null`, a nil XML
 * root); otherwise bound like any body, with the same 400s.
 */
export function readOptionalBody<T>(request: FastifyRequest, schema: ObjectSchema): T | null {
  const value = (request.body as ParsedBody | undefined)?.value;
  if (value === undefined || value === null) return null;
  return bindOrThrow(value, schema) as T | null;
}

/** The body bound to a schema; throws 400/415 with a clear message when it cannot be. */
export function readBody(request: FastifyRequest, schema: Schema): unknown {
  return bindOrThrow(requireBody(request), schema);
}

export function bindOrThrow(value: unknown, schema: Schema, path = ""): unknown {
  try {
    return bind(value, schema, path);
  } catch (error) {
    if (error instanceof BindError)
      throw new PresenceError("PRES_ERR_BAD_BODY", { detail: error.message });
    throw error;
  }
}

/**
 * The element names of an XML body whose schema is a list of titled items, as the
 * DataContractSerializer writes one: root `ArrayOf<Item>` and one `<Item>` per entry (names
 * case-insensitive, as the binder reads them). Null for any other schema.
 */
function xmlListNames(schema: Schema | undefined): { root: string; item: string } | null {
  if (schema?.type !== "array" || schema.items.type !== "object" || !schema.items.title)
    return null;
  return { root: `ArrayOf${schema.items.title}`, item: schema.items.title };
}

/**
 * A check for the routes whose body is such a list: an XML body with another root (`<Foo>`)
 * would otherwise bind as an empty list and save nothing with success, so it is refused, as
 * is an entry element of another name. Undefined for routes that take no list.
 */
export function xmlListGuard(
  schema: Schema | undefined,
): ((request: FastifyRequest) => Promise<void>) | undefined {
  const names = xmlListNames(schema);
  if (!names) return undefined;
  const root = names.root.toLowerCase();
  const item = names.item.toLowerCase();
  return async (request) => {
    const body = request.body as ParsedBody | undefined;
    if (body?.format !== "xml") return;
    const element = body.value;
    if (element.name.toLowerCase() !== root)
      throw new PresenceError("PRES_ERR_XML_ELEMENT", {
        found: element.name,
        expected: names.root,
      });
    const stranger = element.children.find((c) => c.name.toLowerCase() !== item);
    if (stranger)
      throw new PresenceError("PRES_ERR_XML_ELEMENT", {
        found: stranger.name,
        expected: names.item,
      });
  };
}
