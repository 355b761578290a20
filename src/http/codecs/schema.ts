/**
 * A small JSON Schema subset that both validates request bodies and documents them in
 * /openapi.json. Binding is lenient the way SuperOffice's .NET binder is: property names match
 * case-insensitively, unknown properties are ignored, a missing value takes its .NET default,
 * and text sources (XML, forms) carry numbers and booleans as strings. Booleans follow each
 * format's .NET reader: XML's XmlConvert (`true`, `false`, `1`, `0`), JSON's Newtonsoft.Json
 * (true/false, an integer, the strings "true"/"false"), forms' bool.Parse ("true"/"false").
 */
import { isNil, isXmlElement, type XmlElement, xmlBoolean } from "./xml.ts";

export type Schema =
  | { type: "integer"; format: "int32"; description?: string }
  | { type: "boolean"; description?: string }
  | {
      type: "string";
      description?: string;
      format?: "date-time";
      /** The names of a .NET enum, in value order: a JSON integer binds as the name it indexes. */
      enum?: readonly string[];
    }
  | { type: "array"; items: Schema; description?: string }
  | ObjectSchema;

/** The one integer type the contract uses (Int32 in its WSDL and OpenAPI). */
export const INT32 = { type: "integer", format: "int32" } as const satisfies Schema;

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

  /** The same error seen from its container: `segment` is a property name, "[3]", or both. */
  within(segment: string): BindError {
    const path = this.path === "" || this.path.startsWith("[") ? this.path : `.${this.path}`;
    return new BindError(`${segment}${path}`, this.expected);
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Converts a parsed body (JSON value, XML element or form tree) into the schema's shape. */
export function bind(value: unknown, schema: Schema, path = ""): unknown {
  if (path === "") return bindValue(value, schema);
  try {
    return bindValue(value, schema);
  } catch (error) {
    throw error instanceof BindError ? error.within(path) : error;
  }
}

/**
 * Paths are relative here and only spelled out when binding fails (each container prefixes its
 * segment as the error passes): building them for every value cost more than the binding.
 */
function bindValue(value: unknown, schema: Schema): unknown {
  if (isXmlElement(value) && isNil(value)) value = null;
  switch (schema.type) {
    case "integer":
      return bindInteger(textOf(value));
    case "boolean":
      return isXmlElement(value) ? bindXmlBoolean(value.text) : bindBoolean(value);
    case "string":
      return schema.enum ? bindEnum(textOf(value), schema.enum) : bindString(textOf(value));
    case "array":
      return bindArray(value, schema.items);
    case "object":
      return bindObject(value, schema);
  }
}

function textOf(value: unknown): unknown {
  return isXmlElement(value) ? value.text.trim() : value;
}

function bindInteger(value: unknown): number {
  const number =
    typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number))
    throw new BindError("", "an integer");
  if (number < INT32_MIN || number > INT32_MAX)
    throw new BindError("", "an integer in the 32-bit range");
  return number;
}

function bindXmlBoolean(text: string): boolean {
  const value = xmlBoolean(text);
  if (value === null) throw new BindError("", "true, false, 1 or 0");
  return value;
}

/** JSON and forms: Newtonsoft.Json takes an integer as a boolean (0 false, any other true). */
function bindBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isInteger(value)) return value !== 0;
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  throw new BindError("", "true or false");
}

function bindString(value: unknown): string | null {
  if (value === null || typeof value === "string") return value;
  throw new BindError("", "a string");
}

function bindArray(value: unknown, items: Schema): unknown[] | null {
  if (value === null) return null;
  const list = listItems(value);
  if (!list) throw new BindError("", "an array");
  const result = new Array(list.length);
  for (let index = 0; index < list.length; index++) {
    try {
      result[index] = bindValue(list[index], items);
    } catch (error) {
      throw error instanceof BindError ? error.within(`[${index}]`) : error;
    }
  }
  return result;
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

function bindObject(value: unknown, schema: ObjectSchema): Record<string, unknown> | null {
  if (value === null) return null;
  const given = givenProperties(value, schema);
  if (!given) throw new BindError("", "an object");
  const result: Record<string, unknown> = {};
  for (const [name, property] of propertiesOf(schema)) {
    const raw = given[name];
    try {
      result[name] = raw === undefined ? defaultOf(property) : bindValue(raw, property);
    } catch (error) {
      throw error instanceof BindError ? error.within(name) : error;
    }
  }
  return result;
}

const PROPERTIES = new WeakMap<ObjectSchema, [string, Schema][]>();

function propertiesOf(schema: ObjectSchema): [string, Schema][] {
  let properties = PROPERTIES.get(schema);
  if (!properties) {
    properties = Object.entries(schema.properties);
    PROPERTIES.set(schema, properties);
  }
  return properties;
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
    const name = Object.hasOwn(schema.properties, key) ? key : names.get(key.toLowerCase());
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

/**
 * A .NET enum, which Newtonsoft reads from its name or from its integer value: an integer
 * becomes the name it indexes (or its digits, when it indexes none, for the caller to refuse).
 * Names are left for the caller to check, so its error can name the field and the choices.
 */
function bindEnum(value: unknown, names: readonly string[]): string | null {
  if (typeof value === "number" && Number.isInteger(value)) return names[value] ?? String(value);
  return bindString(value);
}
