/**
 * Writing SOAP responses in the shape of the SuperOffice samples: the same prefixes and
 * namespace declarations on Envelope, `xsi:type` on every value, and the NetServer headers
 * (Succeeded, ExceptionInfo, TimeZone) as the WSDL declares them.
 */
import type { Language, PresenceError } from "../../domain/errors.ts";
import { escapeXml, type XmlElement } from "../codecs/xml.ts";
import { ENVELOPE_NS, type SoapVersion } from "./fault.ts";

const ENCODING_NS: Record<SoapVersion, string> = {
  "1.1": "http://schemas.xmlsoap.org/soap/encoding/",
  "1.2": "http://www.w3.org/2003/05/soap-encoding",
};
const ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const SERIALIZATION_NS = "http://schemas.microsoft.com/2003/10/Serialization/";
const CRYPTOGRAPHY_NS = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography";

/** How one service writes: its prefix and namespace, and the samples' extra declarations. */
export class Vocabulary {
  /** The prefix of http://schemas.microsoft.com/2003/10/Serialization/Arrays. */
  readonly arrays: string;
  private readonly open: Record<SoapVersion, string>;

  constructor(
    readonly prefix: "Chat" | "SoPrincipal",
    readonly ns: string,
    version: "86" | "88",
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
      `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${ENVELOPE_NS[v]}" xmlns:SOAP-ENC="${ENCODING_NS[v]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"${xmlns}>`;
    this.open = { "1.1": open("1.1"), "1.2": open("1.2") };
  }

  envelope(version: SoapVersion, header: string, body: string): string {
    return `${this.open[version]}<SOAP-ENV:Header>${header}</SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  }

  /** `<P:name xsi:type="type">inner</P:name>`; inner is XML, already escaped. */
  element(name: string, type: string, inner: string): string {
    return `<${this.prefix}:${name} xsi:type="${type}">${inner}</${this.prefix}:${name}>`;
  }

  nil(name: string): string {
    return `<${this.prefix}:${name} xsi:nil="true"/>`;
  }

  int(name: string, value: number): string {
    return this.element(name, "xsd:int", String(value));
  }

  bool(name: string, value: boolean): string {
    return this.element(name, "xsd:boolean", String(value));
  }

  string(name: string, value: string | null): string {
    return value === null ? this.nil(name) : this.element(name, "xsd:string", escapeXml(value));
  }

  /** A list of one simple type in the Arrays namespace (ArrayOfint, ArrayOfstring). */
  array(name: string, item: "int" | "string", values: readonly (number | string)[] | null): string {
    if (values === null) return this.nil(name);
    const a = this.arrays;
    const items = values.map(
      (v) => `<${a}:${item} xsi:type="xsd:${item}">${escapeXml(String(v))}</${a}:${item}>`,
    );
    return this.element(name, `${a}:ArrayOf${item}`, items.join(""));
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
      `${this.prefix}:SoExceptionInfoParameters`,
      `<${this.prefix}:SoExceptionInfoParametersKeyValuePair>${this.string("Key", "ErrorCode")}${this.string("Value", error.code)}</${this.prefix}:SoExceptionInfoParametersKeyValuePair>`,
    );
    const info = this.element(
      "ExceptionInfo",
      `${this.prefix}:SoExceptionInfo`,
      this.string("Message", error.messageIn(language)) +
        this.string("ExceptionType", error.type) +
        this.string("Source", source) +
        parameters,
    );
    return info + this.bool("Succeeded", false) + this.timeZone(timeZone);
  }

  private timeZone(element: XmlElement | undefined): string {
    if (!element || element.attributes.nil === "true") return "";
    const field = (name: string) => element.children.find((c) => c.name === name)?.text.trim();
    const id = Number.parseInt(field("SoTimeZoneId") ?? "", 10);
    const code = field("SoTimeZoneLocationCode");
    return this.element(
      "TimeZone",
      `${this.prefix}:SoTimeZone`,
      (Number.isInteger(id) ? this.int("SoTimeZoneId", id) : "") +
        (code === undefined ? "" : this.string("SoTimeZoneLocationCode", code)),
    );
  }
}
