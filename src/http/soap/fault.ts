/**
 * SOAP faults: what a request gets when it cannot be processed at all (a malformed envelope,
 * an unknown operation, a failure of ours). Errors a caller can act on inside a well-formed
 * call (a bad ticket, a user they may not change) are not faults: they travel as the
 * ExceptionInfo header, the NetServer way (see writer.ts).
 */
import { type Language, PresenceError } from "../../domain/errors.ts";
import { SOAP_ENVELOPE_NS } from "../codecs/namespaces.ts";
import { escapeXml } from "../codecs/xml.ts";

export type SoapVersion = "1.1" | "1.2";
export type FaultCode = "VersionMismatch" | "MustUnderstand" | "Sender" | "Receiver";

export const ENVELOPE_NS: Record<SoapVersion, string> = SOAP_ENVELOPE_NS;

export const CONTENT_TYPE: Record<SoapVersion, string> = {
  "1.1": "text/xml; charset=utf-8",
  "1.2": "application/soap+xml; charset=utf-8",
};

/** SOAP 1.1 names the 1.2 Sender and Receiver codes Client and Server. */
const CODE_11: Record<FaultCode, string> = {
  VersionMismatch: "VersionMismatch",
  MustUnderstand: "MustUnderstand",
  Sender: "Client",
  Receiver: "Server",
};

export class SoapFault extends Error {
  constructor(
    readonly code: FaultCode,
    readonly error: PresenceError,
    /** The version of the envelope, once it is known; otherwise the content type decides. */
    readonly version?: SoapVersion,
  ) {
    super(error.message);
    this.name = "SoapFault";
  }
}

/** The sender's fault for a client error of the registry, the receiver's for ours (5xx). */
export function faultOf(error: PresenceError, version?: SoapVersion): SoapFault {
  return new SoapFault(error.status >= 500 ? "Receiver" : "Sender", error, version);
}

/** Runs a reading step; any registry error it throws is the sender's fault. */
export function readArgument<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PresenceError) throw faultOf(error);
    throw error;
  }
}

/**
 * SOAP 1.1 (HTTP binding of the 1.1 note) answers every fault with 500. SOAP 1.2 (part 2,
 * 7.5.2.2) answers Sender with 400 and VersionMismatch, MustUnderstand and Receiver with 500.
 */
export function faultStatus(version: SoapVersion, code: FaultCode): number {
  return version === "1.2" && code === "Sender" ? 400 : 500;
}

export function faultEnvelope(version: SoapVersion, fault: SoapFault, language: Language): string {
  const reason = escapeXml(fault.error.messageIn(language));
  const open = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${ENVELOPE_NS[version]}">`;
  if (version === "1.1") {
    return `${open}<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:${CODE_11[fault.code]}</faultcode><faultstring xml:lang="${language}">${reason}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  }
  // A 1.2 VersionMismatch says which envelopes would have been understood (part 1, 5.4.7).
  const upgrade =
    fault.code === "VersionMismatch"
      ? `<SOAP-ENV:Header><SOAP-ENV:Upgrade><SOAP-ENV:SupportedEnvelope qname="SOAP-ENV:Envelope"/><SOAP-ENV:SupportedEnvelope xmlns:soap11="${ENVELOPE_NS["1.1"]}" qname="soap11:Envelope"/></SOAP-ENV:Upgrade></SOAP-ENV:Header>`
      : "";
  return `${open}${upgrade}<SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:${fault.code}</SOAP-ENV:Value></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="${language}">${reason}</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}
