/**
 * The WSDL documents this server carries (src/http/soap/wsdl/, copied next to the compiled
 * code by `npm run build`). Served whole, so generated clients get every type, with
 * soap:address pointing at this server as the caller reached it.
 */
import { readFileSync } from "node:fs";
import { escapeXml } from "../codecs/xml.ts";
import { type WsdlTypes, wsdlTypes } from "./wsdl-types.ts";

const DIRECTORY = new URL("./wsdl/", import.meta.url);
const ADDRESS = /<soap:address location="([^"]*)"/;
/** Distinct addresses kept rendered; behind a proxy Host varies, so the cache stays bounded. */
const MAX_RENDERED = 16;

export class WsdlDocument {
  /** Every operation the portType declares, implemented here or not. */
  readonly operations: ReadonlySet<string>;
  /** The complex types its schema declares, element by element. */
  readonly types: WsdlTypes;
  private readonly head: string;
  private readonly tail: string;
  private readonly rendered = new Map<string, Buffer>();

  constructor(readonly file: string) {
    const text = readFileSync(new URL(file, DIRECTORY), "utf8");
    const address = ADDRESS.exec(text);
    if (!address) throw new Error(`${file} has no soap:address`);
    const start = address.index + address[0].length - address[1].length - 1;
    this.head = text.slice(0, start);
    this.tail = text.slice(start + address[1].length);
    const portType = text.slice(text.indexOf("<wsdl:portType"), text.indexOf("</wsdl:portType>"));
    this.types = wsdlTypes(text);
    this.operations = new Set(
      [...portType.matchAll(/<wsdl:operation name="([^"]+)"/g)].map((m) => m[1]),
    );
  }

  /** The document with soap:address set to `location`. */
  render(location: string): Buffer {
    let body = this.rendered.get(location);
    if (!body) {
      if (this.rendered.size >= MAX_RENDERED) this.rendered.clear();
      body = Buffer.from(this.head + escapeXml(location) + this.tail);
      this.rendered.set(location, body);
    }
    return body;
  }
}

const documents = new Map<string, WsdlDocument>();

/** Each file is read once per process. */
export function wsdlDocument(file: string): WsdlDocument {
  let document = documents.get(file);
  if (!document) {
    document = new WsdlDocument(file);
    documents.set(file, document);
  }
  return document;
}
