/**
 * The one DataContract XML writer of carriers, for REST's XML bodies and SOAP's responses
 * alike: it walks a value along its schema (properties in schema order, ArrayOf… lists, nil
 * for null). What differs between the two is the style: element prefixes, the nil attribute,
 * and (SOAP) values written in the type its WSDL declares. Presence lists, the one large and
 * hot answer, keep their own cached writer (presence.ts, presence-renderer.ts).
 */
import type { Schema } from "../codecs/schema.ts";
import { escapeXml } from "../codecs/xml.ts";

/** Returned by `adjust` to leave an element out (a null the contract cannot carry). */
export const OMIT = Symbol("omit");

export interface XmlStyle {
  /** The qualified element name of a property or item. */
  name(local: string): string;
  /** The nil attribute, such as `i:nil="true"`. */
  nil: string;
  /** The qualified item name of a list of a simple type (int, string, boolean). */
  simpleItem(type: string): string;
  /** Declarations a simple list's element carries (none when the root declares them). */
  simpleListXmlns: string;
  /** The value to write for property `name` of the type `owner` (its schema title). */
  adjust?(owner: string | undefined, name: string, value: unknown): unknown;
}

function simpleType(schema: Schema): string {
  return schema.type === "integer" ? "int" : schema.type === "boolean" ? "boolean" : "string";
}

function itemName(schema: Schema, style: XmlStyle): string {
  if (schema.type === "object") return style.name(schema.title ?? "anyType");
  return style.simpleItem(simpleType(schema));
}

/** The element `name` (already qualified) holding `value` as `schema` describes it. */
export function carrierXml(name: string, value: unknown, schema: Schema, style: XmlStyle): string {
  if (value === null || value === undefined) return `<${name} ${style.nil}/>`;
  if (schema.type === "array") {
    const ns = schema.items.type === "object" ? "" : style.simpleListXmlns;
    const item = itemName(schema.items, style);
    const items = (value as unknown[]).map((v) => carrierXml(item, v, schema.items, style));
    return `<${name}${ns}>${items.join("")}</${name}>`;
  }
  if (schema.type === "object") {
    const source = value as Record<string, unknown>;
    let body = "";
    for (const [key, property] of Object.entries(schema.properties)) {
      const v = style.adjust ? style.adjust(schema.title, key, source[key]) : source[key];
      if (v !== OMIT) body += carrierXml(style.name(key), v, property, style);
    }
    return `<${name}>${body}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The root element name REST gives a schema: its title, ArrayOf…, or the simple type. */
export function rootName(schema: Schema): string {
  if (schema.type === "array") {
    const items = schema.items;
    return `ArrayOf${items.type === "object" ? (items.title ?? "anyType") : simpleType(items)}`;
  }
  if (schema.type === "object") return schema.title ?? "Response";
  return schema.type === "integer" ? "int" : schema.type;
}
