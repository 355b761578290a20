/**
 * A small JSON Schema subset that both validates request bodies and documents them in
 * /openapi.json. Binding is lenient the way SuperOffice's .NET binder is: property names match
 * case-insensitively, unknown properties are ignored, a missing value takes its .NET default,
 * and text sources (XML, forms) carry numbers and booleans as strings.
 */
import { isNil, isXmlElement, type XmlElement } from "./xml.ts";

export type Schema =
  | { type: "integer"; format: "int32"; description?: string }
  | { type: "boolean"; description?: string }
  | { type: "string"; description?: string }
  | { type: "array"; items: Schema; description?: string }
  | ObjectSchema;

export interface ObjectSchema {
  type: "object";
  /** Component name in /openapi.json, and the XML element name of one item. */
  title?: string;
  description?: string;
  properties: Record<string, Schema>;
}

export class BindError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || "body"}: expected ${expected}`);
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Converts a parsed body (JSON value, XML element or form tree) into the schema's shape. */
export function bind(value: unknown, schema: Schema, path = ""): unknown {
  if (isXmlElement(value) && isNil(value)) value = null;
  switch (schema.type) {
    case "integer":
      return bindInteger(textOf(value), path);
    case "boolean":
      return bindBoolean(textOf(value), path);
    case "string":
      return bindString(textOf(value), path);
    case "array":
      return bindArray(value, schema.items, path);
    case "object":
      return bindObject(value, schema, path);
  }
}

function textOf(value: unknown): unknown {
  return isXmlElement(value) ? value.text.trim() : value;
}

function bindInteger(value: unknown, path: string): number {
  const number =
    typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number))
    throw new BindError(path, "an integer");
  if (number < INT32_MIN || number > INT32_MAX)
    throw new BindError(path, "an integer in the 32-bit range");
  return number;
}

function bindBoolean(value: unknown, path: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  throw new BindError(path, "true or false");
}

function bindString(value: unknown, path: string): string | null {
  if (value === null || typeof value === "string") return value;
  throw new BindError(path, "a string");
}

function bindArray(value: unknown, items: Schema, path: string): unknown[] | null {
  if (value === null) return null;
  const list = listItems(value);
  if (!list) throw new BindError(path, "an array");
  return list.map((item, index) => bind(item, items, `${path}[${index}]`));
}

/** The items of a raw list: a JSON array, an XML element's children, or a form's "0", "1", … keys. */
export function listItems(value: unknown): unknown[] | null {
  if (isXmlElement(value)) return value.children;
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]);
    }
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !isXmlElement(value)
  );
}

function bindObject(
  value: unknown,
  schema: ObjectSchema,
  path: string,
): Record<string, unknown> | null {
  if (value === null) return null;
  const given = givenProperties(value, schema);
  if (!given) throw new BindError(path, "an object");
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const raw = given[name];
    const at = path ? `${path}.${name}` : name;
    result[name] = raw === undefined ? defaultOf(property) : bind(raw, property, at);
    if (result[name] === null && (property.type === "integer" || property.type === "boolean")) {
      throw new BindError(
        at,
        property.type === "integer" ? "an integer, not null" : "true or false, not null",
      );
    }
  }
  return result;
}

const LOWER_NAMES = new WeakMap<ObjectSchema, Map<string, string>>();

/** The schema's property names keyed by their lower case, built once per schema. */
function lowerNames(schema: ObjectSchema): Map<string, string> {
  let names = LOWER_NAMES.get(schema);
  if (!names) {
    names = new Map(Object.keys(schema.properties).map((name) => [name.toLowerCase(), name]));
    LOWER_NAMES.set(schema, names);
  }
  return names;
}

/**
 * The raw values of the schema's properties, matched case-insensitively in one pass over the
 * input (a JSON object's last spelling wins, as a map of its keys would; an XML element's
 * first). Null when the value is not an object.
 */
function givenProperties(value: unknown, schema: ObjectSchema): Record<string, unknown> | null {
  const names = lowerNames(schema);
  const given: Record<string, unknown> = Object.create(null);
  if (isXmlElement(value)) {
    for (const child of value.children) {
      const name = names.get(child.name.toLowerCase());
      if (name !== undefined && !(name in given)) given[name] = child;
    }
    return given;
  }
  if (!isPlainObject(value)) return null;
  for (const key of Object.keys(value)) {
    const name = names.get(key.toLowerCase());
    if (name !== undefined) given[name] = value[key];
  }
  return given;
}

/** One raw property of a raw object, matched case-insensitively; undefined when absent. */
export function propertyOf(value: unknown, name: string): unknown {
  return propertyLookup(value)?.(name.toLowerCase());
}

function propertyLookup(value: unknown): ((lowerName: string) => unknown) | null {
  if (isXmlElement(value)) {
    return (name) => value.children.find((c: XmlElement) => c.name.toLowerCase() === name);
  }
  if (!isPlainObject(value)) return null;
  const byLowerName = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) byLowerName.set(key.toLowerCase(), v);
  return (name) => byLowerName.get(name);
}

/** .NET value types default to 0 / false; reference types to null. */
export function defaultOf(schema: Schema): unknown {
  if (schema.type === "integer") return 0;
  if (schema.type === "boolean") return false;
  return null;
}
