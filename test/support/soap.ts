/** Shared pieces of the SOAP tests: fixtures, posting envelopes, and reading responses by shape. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SaxesParser } from "saxes";
import { parseXml, type XmlElement } from "../../src/http/codecs/xml.ts";
import type { TestServer } from "./server.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);

export const SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";
export const SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
export const NS86 = "http://www.superoffice.net/ws/crm/NetServer/Services86";
export const NS88 = "http://www.superoffice.net/ws/crm/NetServer/Services88";
export const PLACEHOLDER_TICKET = "7T:1234abcxyzExample==";

export function fixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), "utf8");
}

/** The request and response envelopes of a SuperOffice sample page, verbatim. */
export function sample(path: string): { request: string; response: string } {
  const blocks = [...fixture(path).matchAll(/```xml\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 2, `${path} has a request and a response`);
  return { request: blocks[0], response: blocks[1] };
}

/** The same document for the other NetServer version (namespaces, prefixes, actions). */
export function asServices86(xml: string): string {
  return xml.replaceAll("Services88", "Services86");
}

export interface SoapReply {
  status: number;
  contentType: string;
  text: string;
  envelope: XmlElement;
}

export async function post(
  server: TestServer,
  path: string,
  body: RequestInit["body"],
  headers: Record<string, string> = { "content-type": "application/soap+xml; charset=utf-8" },
): Promise<SoapReply> {
  const response = await server.fetch(path, { method: "POST", headers, body });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text,
    envelope: parseXml(text),
  };
}

/** Present per UserId, read from the store itself, so a test proves what was (not) saved. */
export async function presentByUser(server: TestServer): Promise<Record<number, boolean>> {
  const list = await server.store.listPresence();
  return Object.fromEntries(list.map((p) => [p.UserId, p.Present]));
}

/** A child by local name (namespace-aware callers check `ns` themselves). */
export function at(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = element;
  for (const name of names) current = current?.children.find((c) => c.name === name);
  return current;
}

export function headerOf(reply: SoapReply) {
  const header = at(reply.envelope, "Header");
  return {
    succeeded: at(header, "Succeeded")?.text,
    exceptionType: at(header, "ExceptionInfo", "ExceptionType")?.text,
    message: at(header, "ExceptionInfo", "Message")?.text,
    errorCode: at(
      header,
      "ExceptionInfo",
      "Parameters",
      "SoExceptionInfoParametersKeyValuePair",
      "Value",
    )?.text,
  };
}

/** The operation's response element (first child of Body). */
export function bodyOf(reply: SoapReply): XmlElement {
  const element = at(reply.envelope, "Body")?.children[0];
  assert.ok(element, "the Body has a response element");
  return element;
}

export function faultOf(reply: SoapReply): { code?: string; reason?: string } {
  const fault = at(reply.envelope, "Body", "Fault");
  assert.ok(fault, `a Fault in ${reply.text}`);
  return {
    code: (at(fault, "faultcode") ?? at(fault, "Code", "Value"))?.text,
    reason: (at(fault, "faultstring") ?? at(fault, "Reason", "Text"))?.text,
  };
}

/**
 * A document's shape: the namespace declarations of its root in order, and every distinct
 * element path ({namespace}name, marked when nil) in first-seen order: prefixes may differ. Repeated list items
 * collapse, so a list of many users has the shape of the samples' list of one. The Header is
 * left out (the samples show none; responses here carry Succeeded there), and so are the
 * samples' xsi:type attributes, which restate the WSDL and which responses here leave out.
 */
export function shapeOf(xml: string): { declarations: string[]; paths: string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const declarations: string[] = [];
  const seen = new Set<string>();
  const paths: string[] = [];
  const stack: string[] = [];
  let skipping = 0;
  parser.on("opentag", (tag) => {
    if (stack.length === 0) {
      for (const [prefix, uri] of Object.entries(tag.ns)) declarations.push(`${prefix}=${uri}`);
    }
    const attributes = Object.values(tag.attributes).filter((a) => typeof a === "object");
    const nil = attributes.some((a) => a.local === "nil" && a.value === "true");
    const step = `{${tag.uri}}${tag.local}${nil ? "[nil]" : ""}`;
    stack.push(step);
    if (tag.local === "Header" && stack.length === 2) skipping = stack.length;
    const path = stack.join("/");
    if (!skipping && !seen.has(path)) {
      seen.add(path);
      paths.push(path);
    }
  });
  parser.on("closetag", () => {
    if (skipping === stack.length) skipping = 0;
    stack.pop();
  });
  parser.write(xml).close();
  return { declarations, paths };
}

/** The element paths alone, without the nil mark. */
export function namesOf(paths: string[]): string[] {
  return [...new Set(paths.map((p) => p.replace(/\[[^\]]*\]/g, "")))];
}
