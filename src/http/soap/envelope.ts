/**
 * Reading a SOAP request: the envelope version, the NetServer headers and the operation
 * element. Headers are read inside Header and also directly under Envelope, where the
 * SuperOffice samples put them; prefixes are free, elements are matched by local name.
 */
import { type Localized, localized, PresenceError } from "../../domain/errors.ts";
import {
  isNil,
  parseXml,
  XML_LIMITS,
  type XmlElement,
  XmlError,
  type XmlLimits,
  xmlBoolean,
} from "../codecs/xml.ts";
import { ENVELOPE_NS, SoapFault, type SoapVersion } from "./fault.ts";

export const SOAP_MEDIA_TYPES = ["text/xml", "application/soap+xml", "application/xml"];
const KNOWN_HEADERS = new Set(["applicationtoken", "credentials", "timezone"]);

export interface SoapRequest {
  version: SoapVersion;
  applicationToken?: string;
  /** Credentials/Ticket, trimmed; undefined when absent, nil or empty. */
  ticket?: string;
  /** The TimeZone header as sent, to echo back. */
  timeZone?: XmlElement;
  /** The first element of Body: the operation and its arguments. */
  operation: XmlElement;
}

/** The version to answer in before the envelope says: SOAP 1.2 only for its own media type. */
export function versionOfContentType(contentType: string | undefined): SoapVersion {
  return mediaType(contentType) === "application/soap+xml" ? "1.2" : "1.1";
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** A plain-string detail (a parser's message) is English only: other languages leave it out. */
function malformed(detail: string | Localized, version?: SoapVersion): SoapFault {
  return new SoapFault("Sender", new PresenceError("PRES_ERR_BAD_BODY", { detail }), version);
}

/** Decodes by the charset parameter (UTF-8 by default); invalid bytes are the sender's fault. */
function decode(body: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset, { fatal: true }).decode(body);
  } catch {
    throw malformed(
      localized(`the body is not valid ${charset}`, `innholdet er ikke gyldig ${charset}`),
    );
  }
}

/**
 * Recently read small envelopes by their exact bytes and content type. A client polling
 * GetChatPresence sends the same envelope (same ticket) again and again, and reading it is a
 * third of such a call's cost. What is kept is never changed after reading, so it is shared.
 */
const recent = new Map<string, SoapRequest>();
const RECENT_ENTRIES = 256;
const RECENT_MAX_BYTES = 4096;

export function readEnvelope(
  body: Buffer | undefined,
  contentType = "",
  limits: XmlLimits = XML_LIMITS,
): SoapRequest {
  if (!body || body.length > RECENT_MAX_BYTES) return read(body, contentType, limits);
  // The limits are part of the key: an envelope read under looser ones is no proof for others.
  const key = `${Object.values(limits).join(",")}\n${contentType}\n${body.toString("latin1")}`;
  let request = recent.get(key);
  if (!request) {
    request = read(body, contentType, limits);
    if (recent.size >= RECENT_ENTRIES) recent.delete(recent.keys().next().value as string);
    recent.set(key, request);
  }
  return request;
}

function read(body: Buffer | undefined, contentType: string, limits: XmlLimits): SoapRequest {
  const type = mediaType(contentType);
  if (!SOAP_MEDIA_TYPES.includes(type)) {
    throw new SoapFault(
      "Sender",
      new PresenceError("PRES_ERR_MEDIA_TYPE", {
        contentType: type || "(none)",
        supported: SOAP_MEDIA_TYPES.join(", "),
      }),
    );
  }
  if (!body || body.length === 0)
    throw malformed(localized("the body is empty", "innholdet er tomt"));
  let root: XmlElement;
  try {
    // Under XML_LIMITS, as every XML body: the ticket is inside, so this runs before sign-in.
    root = parseXml(decode(body, contentType), limits);
  } catch (error) {
    if (error instanceof XmlError) throw malformed(error.message);
    throw error;
  }
  if (root.name !== "Envelope")
    throw malformed(
      localized(
        `the document is <${root.name}>, not a SOAP Envelope`,
        `dokumentet er <${root.name}>, ikke en SOAP-Envelope`,
      ),
    );
  const version = (Object.keys(ENVELOPE_NS) as SoapVersion[]).find(
    (v) => ENVELOPE_NS[v] === root.ns,
  );
  if (!version) {
    throw new SoapFault(
      "VersionMismatch",
      new PresenceError("PRES_ERR_SOAP_VERSION", { namespace: root.ns || "(none)" }),
    );
  }
  const part = (name: string) => root.children.find((c) => c.name === name && c.ns === root.ns);
  const header = part("Header");
  const bodyElement = part("Body");
  if (!bodyElement)
    throw malformed(localized("the Envelope has no Body", "Envelope mangler Body"), version);
  const operation = bodyElement.children[0];
  if (!operation) throw malformed(localized("the Body is empty", "Body er tom"), version);

  const request: SoapRequest = { version, operation };
  for (const element of header?.children ?? []) {
    const mustUnderstand = element.attributes.mustUnderstand;
    if (
      mustUnderstand !== undefined &&
      xmlBoolean(mustUnderstand) === true &&
      !KNOWN_HEADERS.has(element.name.toLowerCase())
    ) {
      throw new SoapFault(
        "MustUnderstand",
        new PresenceError("PRES_ERR_SOAP_HEADER", { header: element.name }),
        version,
      );
    }
  }
  const loose = root.children.filter((c) => c !== header && c !== bodyElement);
  for (const element of [...(header?.children ?? []), ...loose]) readHeader(request, element);
  return request;
}

function readHeader(request: SoapRequest, element: XmlElement): void {
  const text = (e: XmlElement | undefined) =>
    e && !isNil(e) && e.text.trim() !== "" ? e.text.trim() : undefined;
  switch (element.name.toLowerCase()) {
    case "applicationtoken":
      request.applicationToken = text(element);
      break;
    case "credentials":
      request.ticket = text(element.children.find((c) => c.name.toLowerCase() === "ticket"));
      break;
    case "timezone":
      request.timeZone = element;
      break;
  }
}
