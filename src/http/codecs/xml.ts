/**
 * Safe XML in and out. Parsing is namespace-aware (saxes) and refuses any DOCTYPE before an
 * entity could be expanded, so XXE and billion-laughs inputs fail fast. Output is built by
 * hand with escaping: the shapes are fixed and small, a serializer library would only add cost.
 */
import { SaxesParser, type SaxesTagNS } from "saxes";

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
  /** Elements plus attributes in the whole document. */
  maxNodes: number;
  /** Attributes, namespace declarations included, on one element. */
  maxAttributes: number;
  /** Characters of text (and CDATA) in one element, and in one attribute value. */
  maxTextLength: number;
  /**
   * `<` and `&` in the whole document: every tag, comment, processing instruction, CDATA
   * section and entity reference starts with one, and each costs the parser far more than a
   * plain character, so this bounds a document's parsing time whatever its markup is.
   */
  maxMarkup: number;
}

/**
 * The limits every XML body is read under, REST and SOAP alike. The deepest document the API
 * takes is 7 levels (Envelope/Body/Save…/list/item/ChatTopics/int); 20,000 elements and
 * attributes hold a SaveChatPresence of over 1,000 users even with an xsi:type on every value;
 * the `soap` package declares every WSDL namespace on Envelope (about 150); no field the API
 * takes is near 64 Ki characters. A document is refused as soon as it passes one, as it is read.
 */
export const XML_LIMITS: XmlLimits = {
  maxDepth: 32,
  maxNodes: 20_000,
  maxAttributes: 1_000,
  maxTextLength: 65_536,
  maxMarkup: 40_000,
};

/**
 * Counts `<` and `&` at string-search speed, before the parser sees the document, and refuses
 * any DOCTYPE before an entity could be declared, let alone expanded.
 */
function checkMarkup(source: string, maxMarkup: number): void {
  if (source.includes("<!DOCTYPE"))
    throw new XmlError("document type declarations (DOCTYPE) are not allowed");
  let markup = 0;
  for (const start of ["<", "&"]) {
    for (let at = source.indexOf(start); at !== -1; at = source.indexOf(start, at + 1)) {
      if (++markup > maxMarkup)
        throw new XmlError(`the document has more than ${maxMarkup} tags and references`);
    }
  }
}

export function isXmlElement(value: unknown): value is XmlElement {
  return typeof value === "object" && value !== null && "children" in value && "ns" in value;
}

/**
 * Parses a document into an element tree, or throws XmlError saying what is wrong.
 * It sets only five saxes handlers: each one set is a property added to the parser object, and
 * beyond about six V8 stops treating the parser as a fast object and every character it reads
 * costs twenty times as much (1 MiB of text: about 100 ms instead of 4 ms).
 */
export function parseXml(source: string, limits: XmlLimits = XML_LIMITS): XmlElement {
  checkMarkup(source, limits.maxMarkup);
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const count = nodeCounter(limits.maxNodes);
  // An element's attributes are reported before its opentag, so this counts the current tag's.
  let attributes = 0;
  parser.on("attribute", (attribute) => {
    count();
    if (++attributes > limits.maxAttributes)
      throw new XmlError(`an element has more than ${limits.maxAttributes} attributes`);
    if (attribute.value.length > limits.maxTextLength)
      throw new XmlError(`an attribute value is longer than ${limits.maxTextLength} characters`);
  });
  parser.on("opentag", (tag) => {
    count();
    attributes = 0;
    const element = toElement(tag);
    if (stack.length >= limits.maxDepth)
      throw new XmlError(`elements are nested deeper than ${limits.maxDepth}`);
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
    if (!current) return;
    if (current.text.length + text.length > limits.maxTextLength)
      throw new XmlError(`an element has more than ${limits.maxTextLength} characters of text`);
    current.text += text;
  };
  parser.on("text", appendText);
  parser.on("cdata", appendText);
  try {
    parser.write(source).close();
  } catch (error) {
    // saxes reports a malformed document by throwing a plain Error.
    if (error instanceof Error && error.constructor === Error) throw new XmlError(error.message);
    throw error;
  }
  if (!root) throw new XmlError("the document has no root element");
  return root;
}

/** Elements and attributes are counted as saxes reads them, so a flood stops where it passes. */
function nodeCounter(maxNodes: number): () => void {
  let nodes = 0;
  return () => {
    if (++nodes > maxNodes)
      throw new XmlError(`the document has more than ${maxNodes} elements and attributes`);
  };
}

function toElement(tag: SaxesTagNS): XmlElement {
  const attributes: Record<string, string> = {};
  for (const attribute of Object.values(tag.attributes))
    attributes[attribute.local] = attribute.value;
  return { name: tag.local ?? tag.name, ns: tag.uri ?? "", attributes, children: [], text: "" };
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  const wanted = name.toLowerCase();
  return element.children.find((c) => c.name.toLowerCase() === wanted);
}

/** xsi:nil is an xs:boolean, so `1` (and white space around it) says nil as `true` does. */
export function isNil(element: XmlElement): boolean {
  const nil = element.attributes.nil;
  return nil !== undefined && xmlBoolean(nil) === true;
}

/**
 * XML Schema's boolean, as .NET's XmlConvert.ToBoolean reads it: `true`, `false`, `1` or `0`,
 * with XML white space (space, tab, CR, LF) around it; null for anything else (`TRUE`, `yes`).
 * The one rule for every boolean in XML: REST XML bodies, SOAP arguments and attributes.
 */
export function xmlBoolean(text: string): boolean | null {
  switch (text.replace(XML_SPACE_AROUND, "")) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return null;
  }
}

const XML_SPACE_AROUND = /^[ \t\r\n]+|[ \t\r\n]+$/g;

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
