/**
 * Writing SOAP responses in the shape of the SuperOffice samples: the same prefixes and
 * namespace declarations on Envelope, the same elements in the same order, and the NetServer
 * headers (Succeeded, ExceptionInfo, TimeZone) as the WSDL declares them. Values carry no
 * xsi:type (the binding is document/literal, as WCF writes it): the samples' xsi:types only
 * restate the WSDL, would triple a presence list's size, and make generic clients such as the
 * `soap` package hand back { attributes, $value } objects instead of values.
 */
import type { Language, PresenceError } from "../../domain/errors.ts";
import { carrierXml, OMIT, type XmlStyle } from "../carriers/xml.ts";
import {
  ARRAYS_NS,
  CRYPTOGRAPHY_NS,
  INSTANCE_NS,
  SCHEMA_NS,
  SERIALIZATION_NS,
  SOAP_ENCODING_NS,
  SOAP_ENVELOPE_NS,
} from "../codecs/namespaces.ts";
import type { Schema } from "../codecs/schema.ts";
import { escapeXml, isNil, type XmlElement } from "../codecs/xml.ts";
import type { SoapVersion } from "./fault.ts";
import { durationOf, MIN_DATE_TIME, type WsdlTypes } from "./wsdl-types.ts";

/** Envelopes kept per cached content: one per version and header set (TimeZone varies). */
const MAX_WRAPPED = 8;

/** How one service writes: its prefix and namespace, and the samples' extra declarations. */
export class Vocabulary {
  /** The prefix of ARRAYS_NS. */
  readonly arrays: string;
  private readonly open: Record<SoapVersion, string>;
  private readonly wrapped = new WeakMap<Buffer, Map<string, Buffer>>();
  private readonly style: XmlStyle;

  constructor(
    readonly prefix: "Chat" | "SoPrincipal",
    readonly ns: string,
    version: "86" | "88",
    /** The WSDL's declared element types, which carriers' values are written as. */
    types: WsdlTypes = new Map(),
  ) {
    const n = `NetServerServices${version}`;
    const declarations: [string, string][] =
      prefix === "Chat"
        ? [
            [`${n}2`, ARRAYS_NS],
            [`${n}1`, SERIALIZATION_NS],
          ]
        : [
            [`${n}2`, CRYPTOGRAPHY_NS],
            [`${n}3`, ARRAYS_NS],
            [`${n}1`, SERIALIZATION_NS],
          ];
    this.arrays = prefix === "Chat" ? `${n}2` : `${n}3`;
    const xmlns = [...declarations, [prefix, ns]]
      .map(([p, uri]) => ` xmlns:${p}="${uri}"`)
      .join("");
    const open = (v: SoapVersion) =>
      `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENVELOPE_NS[v]}" xmlns:SOAP-ENC="${SOAP_ENCODING_NS[v]}" xmlns:xsi="${INSTANCE_NS}" xmlns:xsd="${SCHEMA_NS}"${xmlns}>`;
    this.open = { "1.1": open("1.1"), "1.2": open("1.2") };
    this.style = carrierStyle(prefix, this.arrays, types);
  }

  /** A carrier (topic, session, member, message, list item, or a list of them) as `name`. */
  carrier(name: string, value: unknown, schema: Schema): string {
    return carrierXml(`${this.prefix}:${name}`, value, schema, this.style);
  }

  /**
   * The whole response: headers, and the response element around `content`. Content may be
   * bytes rendered earlier (a presence list): the envelope around them is kept too, so a
   * repeated call sends the same bytes without copying or encoding anything.
   */
  envelope(
    version: SoapVersion,
    header: string,
    response: string,
    content: string | Buffer,
  ): Buffer {
    const p = this.prefix;
    const head = `${this.open[version]}<SOAP-ENV:Header>${header}</SOAP-ENV:Header><SOAP-ENV:Body><${p}:${response}>`;
    const tail = `</${p}:${response}></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    if (typeof content === "string") return Buffer.from(head + content + tail);
    let around = this.wrapped.get(content);
    if (!around) {
      around = new Map();
      this.wrapped.set(content, around);
    }
    const key = head + tail;
    let body = around.get(key);
    if (!body) {
      if (around.size >= MAX_WRAPPED) around.clear();
      body = Buffer.concat([Buffer.from(head), content, Buffer.from(tail)]);
      around.set(key, body);
    }
    return body;
  }

  /** `<P:name>inner</P:name>`; inner is XML, already escaped. */
  element(name: string, inner: string): string {
    return `<${this.prefix}:${name}>${inner}</${this.prefix}:${name}>`;
  }

  nil(name: string): string {
    return `<${this.prefix}:${name} xsi:nil="true"/>`;
  }

  int(name: string, value: number): string {
    return this.element(name, String(value));
  }

  bool(name: string, value: boolean): string {
    return this.element(name, String(value));
  }

  string(name: string, value: string | null): string {
    return value === null ? this.nil(name) : this.element(name, escapeXml(value));
  }

  /** A list of one simple type in the Arrays namespace (ArrayOfint, ArrayOfstring). */
  array(name: string, item: "int" | "string", values: readonly (number | string)[] | null): string {
    if (values === null) return this.nil(name);
    const a = this.arrays;
    const items = values.map((v) => `<${a}:${item}>${escapeXml(String(v))}</${a}:${item}>`);
    return this.element(name, items.join(""));
  }

  /** Response headers of a call that succeeded; the request's TimeZone is echoed. */
  successHeader(timeZone: XmlElement | undefined): string {
    return this.bool("Succeeded", true) + this.timeZone(timeZone);
  }

  /** Response headers of a call the service refused: ExceptionInfo from the registry. */
  failureHeader(
    error: PresenceError,
    language: Language,
    source: string,
    timeZone?: XmlElement,
  ): string {
    const parameters = this.element(
      "Parameters",
      `<${this.prefix}:SoExceptionInfoParametersKeyValuePair>${this.string("Key", "ErrorCode")}${this.string("Value", error.code)}</${this.prefix}:SoExceptionInfoParametersKeyValuePair>`,
    );
    const info = this.element(
      "ExceptionInfo",
      this.string("Message", error.messageIn(language)) +
        this.string("ExceptionType", error.type) +
        this.string("Source", source) +
        parameters,
    );
    return info + this.bool("Succeeded", false) + this.timeZone(timeZone);
  }

  private timeZone(element: XmlElement | undefined): string {
    if (!element || isNil(element)) return "";
    const field = (name: string) => element.children.find((c) => c.name === name)?.text.trim();
    const id = field("SoTimeZoneId");
    const code = field("SoTimeZoneLocationCode");
    return this.element(
      "TimeZone",
      (id !== undefined && /^[-+]?\d{1,9}$/.test(id) ? this.int("SoTimeZoneId", Number(id)) : "") +
        (code === undefined ? "" : this.string("SoTimeZoneLocationCode", code)),
    );
  }
}

/**
 * Carriers in the service's prefix, with values as the WSDL types them: a TimeSpan as
 * xs:duration, a flag list space-separated, an unset DateTime as WCF writes it, and a null
 * the type cannot carry as nil
 * (an enum, a flag list) left out, which a WCF client reads as the type's default.
 */
function carrierStyle(prefix: string, arrays: string, types: WsdlTypes): XmlStyle {
  return {
    name: (local) => `${prefix}:${local}`,
    nil: 'xsi:nil="true"',
    simpleItem: (type) => `${arrays}:${type}`,
    simpleListXmlns: "",
    adjust(owner, name, value) {
      const declared = owner === undefined ? undefined : types.get(owner)?.get(name);
      if (!declared) return value;
      if (declared.type === "dateTime" && value === null) return MIN_DATE_TIME;
      if (declared.type === "duration" && typeof value === "string") return durationOf(value);
      // Saved over REST as "Email, Name" (JSON's form); XML lists separate items by spaces.
      if (declared.list && typeof value === "string")
        return value
          .split(/[\s,]+/)
          .filter(Boolean)
          .join(" ");
      if (value === null && !declared.nillable) return OMIT;
      return value;
    },
  };
}
