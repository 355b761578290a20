/**
 * Safe XML in and out. Parsing is namespace-aware (saxes) and refuses any DOCTYPE before an
 * entity could be expanded, so XXE and billion-laughs inputs fail fast. Output is built by
 * hand with escaping: the shapes are fixed and small, a serializer library would only add cost.
 */
import { SaxesParser } from "saxes";

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI, "" when none. */
  ns: string;
  /** Attributes keyed by local name; `nil` holds xsi:nil / i:nil. */
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

export interface XmlLimits {
  maxDepth: number;
  /** Elements plus attributes in the whole document (unlimited when absent). */
  maxNodes?: number;
  /** Attributes, namespace declarations included, on one element (unlimited when absent). */
  maxAttributes?: number;
}

const DEFAULT_LIMITS: XmlLimits = { maxDepth: 64 };

export function isXmlElement(value: unknown): value is XmlElement {
  return typeof value === "object" && value !== null && "children" in value && "ns" in value;
}

/** Parses a document into an element tree, or throws XmlError saying what is wrong. */
export function parseXml(source: string, limits: XmlLimits = DEFAULT_LIMITS): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on("doctype", () => {
    throw new XmlError("document type declarations (DOCTYPE) are not allowed");
  });
  parser.on("error", (error) => {
    throw new XmlError(error.message);
  });
  // Counted as saxes reads them, so a flood of elements or attributes stops where it passes.
  const { maxNodes = Infinity, maxAttributes = Infinity } = limits;
  if (maxNodes < Infinity || maxAttributes < Infinity) {
    let nodes = 0;
    let attributes = 0;
    const count = () => {
      if (++nodes > maxNodes)
        throw new XmlError(`the document has more than ${maxNodes} elements and attributes`);
    };
    parser.on("opentagstart", () => {
      attributes = 0;
      count();
    });
    parser.on("attribute", () => {
      count();
      if (++attributes > maxAttributes)
        throw new XmlError(`an element has more than ${maxAttributes} attributes`);
    });
  }
  parser.on("opentag", (tag) => {
    if (stack.length >= limits.maxDepth)
      throw new XmlError(`elements are nested deeper than ${limits.maxDepth}`);
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) {
      if (typeof attribute === "object") attributes[attribute.local] = attribute.value;
    }
    const element: XmlElement = {
      name: tag.local ?? tag.name,
      ns: tag.uri ?? "",
      attributes,
      children: [],
      text: "",
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const appendText = (text: string) => {
    const current = stack.at(-1);
    if (current) current.text += text;
  };
  parser.on("text", appendText);
  parser.on("cdata", appendText);
  parser.write(source).close();
  if (!root) throw new XmlError("the document has no root element");
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  const wanted = name.toLowerCase();
  return element.children.find((c) => c.name.toLowerCase() === wanted);
}

export function isNil(element: XmlElement): boolean {
  return element.attributes.nil === "true";
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
