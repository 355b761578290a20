/** SOAP envelopes in either version with headers where a test wants them, and their checks. */
import assert from "node:assert/strict";
import type { TestServer } from "./server.ts";
import { faultOf, NS88, post, SOAP11, SOAP12, type SoapReply } from "./soap.ts";

export type Version = "1.1" | "1.2";
export const CHAT88 = "/Remote/Services88/Chat.svc";
export const CHAT86 = "/Remote/Services86/Chat.svc";
export const PRINCIPAL88 = "/Remote/Services88/SoPrincipal.svc";

/** An envelope with prefixes unlike the samples' (s:, c:), headers where `place` says. */
export function envelope(
  version: Version,
  body: string,
  options: { ticket?: string; appToken?: string; place?: "header" | "envelope"; ns?: string } = {},
): string {
  const { ticket, appToken, place = "header", ns = NS88 } = options;
  const headers =
    (appToken === undefined ? "" : `<c:ApplicationToken>${appToken}</c:ApplicationToken>`) +
    (ticket === undefined ? "" : `<c:Credentials><c:Ticket>${ticket}</c:Ticket></c:Credentials>`);
  const envelopeNs = version === "1.1" ? SOAP11 : SOAP12;
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${envelopeNs}" xmlns:c="${ns}">` +
    (place === "envelope" ? headers : `<s:Header>${headers}</s:Header>`) +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export function contentHeaders(version: Version, action?: string): Record<string, string> {
  if (version === "1.1") {
    return { "content-type": "text/xml; charset=utf-8", soapaction: `"${action ?? ""}"` };
  }
  const actionParameter = action ? `; action="${action}"` : "";
  return { "content-type": `application/soap+xml; charset=utf-8${actionParameter}` };
}

export function call(
  server: TestServer,
  path: string,
  version: Version,
  xml: string,
  action?: string,
) {
  return post(server, path, xml, contentHeaders(version, action));
}

export function assertVersion(reply: SoapReply, version: Version) {
  assert.equal(reply.envelope.ns, version === "1.1" ? SOAP11 : SOAP12, reply.text);
  assert.match(reply.contentType, version === "1.1" ? /^text\/xml/ : /^application\/soap\+xml/);
}

export function assertFault(
  reply: SoapReply,
  version: Version,
  code: string,
  status: number,
  reason?: RegExp,
) {
  assertVersion(reply, version);
  assert.equal(reply.status, status, reply.text);
  const fault = faultOf(reply);
  const expectedCode =
    version === "1.1" ? ({ Sender: "Client", Receiver: "Server" }[code] ?? code) : code;
  assert.equal(fault.code, `SOAP-ENV:${expectedCode}`);
  if (reason) assert.match(fault.reason ?? "", reason);
}

export const SAVE = (userId: number | string, present: boolean) =>
  `<c:SaveChatPresence><c:ChatPresence><c:ChatPresence><c:UserId>${userId}</c:UserId><c:Present>${present}</c:Present></c:ChatPresence></c:ChatPresence></c:SaveChatPresence>`;
