/**
 * The element types a WSDL's schema declares for each named complex type: what SOAP writes a
 * carrier's values as (xs:dateTime, ser:duration) and whether a null can be sent as nil.
 */
export interface DeclaredElement {
  /** The type's local name: dateTime, duration, int, string, ChatSessionFlags, … */
  type: string;
  nillable: boolean;
  /** An xs:list type (a [Flags] enum such as WidgetRequiredFields): items space-separated. */
  list: boolean;
}

/** Complex type name → its elements by name, in sequence order. */
export type WsdlTypes = ReadonlyMap<string, ReadonlyMap<string, DeclaredElement>>;

const COMPLEX_TYPE = /<xs:complexType name="([^"]+)">([\s\S]*?)<\/xs:complexType>/g;
const ELEMENT = /<xs:element\b[^>]*?\bname="([^"]+)"[^>]*?>/g;
const LIST_TYPE = /<xs:simpleType name="([^"]+)">(?:(?!<\/xs:simpleType>)[\s\S])*?<xs:list>/g;

/** Reads the named complex types of a WSDL (its own trusted copy, so patterns suffice). */
export function wsdlTypes(wsdl: string): WsdlTypes {
  const types = new Map<string, Map<string, DeclaredElement>>();
  const lists = new Set([...wsdl.matchAll(LIST_TYPE)].map((m) => m[1]));
  for (const [, name, body] of wsdl.matchAll(COMPLEX_TYPE)) {
    const elements = new Map<string, DeclaredElement>();
    for (const match of body.matchAll(ELEMENT)) {
      const tag = match[0];
      const type = /\btype="(?:[\w]+:)?([^"]+)"/.exec(tag)?.[1] ?? "";
      const nillable = /\bnillable="true"/.test(tag);
      elements.set(match[1], { type, nillable, list: lists.has(type) });
    }
    types.set(name, elements);
  }
  return types;
}

/** What WCF writes for a DateTime that was never set (DateTime.MinValue). */
export const MIN_DATE_TIME = "0001-01-01T00:00:00";

/** "HH:mm:ss" (a TimeSpan as JSON) as the xs:duration DataContract XML carries it. */
export function durationOf(clock: string): string {
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(clock);
  if (!match) return clock;
  const [hours, minutes, seconds] = match.slice(1).map(Number);
  const parts = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds ? `${seconds}S` : ""}`;
  return `PT${parts || "0S"}`;
}
