/**
 * The served WSDLs: structurally the published ones (types, elements, messages, operations,
 * bindings, namespaces, SOAP actions), prose aside, with soap:address pointing here.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { SaxesParser } from "saxes";
import { startTestServer, type TestServer } from "./support/server.ts";
import { asServices86, fixture } from "./support/soap.ts";

const XMLNS = "http://www.w3.org/2000/xmlns/";
const WSDL = "http://schemas.xmlsoap.org/wsdl/";
const QNAME_ATTRIBUTES = new Set(["type", "element", "base", "message", "binding", "ref"]);

const ENDPOINTS = [
  {
    path: "/Remote/Services86/Chat.svc",
    published: () => fixture("contract/soap/Services86-Chat.wsdl"),
  },
  {
    path: "/Remote/Services88/Chat.svc",
    published: () => fixture("contract/soap/Services88-Chat.wsdl"),
  },
  {
    path: "/Remote/Services86/SoPrincipal.svc",
    published: () => asServices86(fixture("contract/soap/Services88-SoPrincipal.wsdl")),
  },
  {
    path: "/Remote/Services88/SoPrincipal.svc",
    published: () => fixture("contract/soap/Services88-SoPrincipal.wsdl"),
  },
];

/**
 * One line per element: depth, {namespace}name, attributes with QName values resolved to
 * {namespace}name (so prefixes may differ), and trimmed text. wsdl:documentation and the
 * soap:address location are left out: the prose is ours, the address is this server's.
 */
function structure(xml: string): string[] {
  const parser = new SaxesParser({ xmlns: true });
  const lines: string[] = [];
  let depth = 0;
  let skipFrom = 0;
  let text = "";
  const flushText = () => {
    if (!skipFrom && text.trim()) lines.push(`${depth} text ${text.trim()}`);
    text = "";
  };
  parser.on("opentag", (tag) => {
    flushText();
    depth++;
    if (!skipFrom && tag.uri === WSDL && tag.local === "documentation") skipFrom = depth;
    if (skipFrom) return;
    const attributes = Object.values(tag.attributes)
      .filter((a) => typeof a === "object" && a.uri !== XMLNS && a.prefix !== "xmlns")
      .filter((a) => !(tag.local === "address" && a.local === "location"))
      .map((a) => {
        let value = a.value;
        const qname = /^([\w.-]+):([\w.-]+)$/.exec(value);
        if (QNAME_ATTRIBUTES.has(a.local) && qname) {
          value = `{${parser.resolve(qname[1]) ?? qname[1]}}${qname[2]}`;
        }
        return `${a.uri ? `{${a.uri}}` : ""}${a.local}=${value}`;
      })
      .sort();
    lines.push(`${depth} {${tag.uri}}${tag.local} ${attributes.join(" ")}`);
  });
  parser.on("text", (t) => {
    text += t;
  });
  parser.on("closetag", () => {
    flushText();
    if (skipFrom === depth) skipFrom = 0;
    depth--;
  });
  parser.write(xml).close();
  return lines;
}

function documentation(xml: string): string[] {
  return [...xml.matchAll(/<summary>([^<]*)<\/summary>/g)].map((m) => m[1]);
}

describe("SOAP WSDLs", () => {
  let server: TestServer;
  let proxied: TestServer;
  before(async () => {
    server = await startTestServer();
    proxied = await startTestServer({ trustProxy: true });
  });
  after(async () => {
    await server.close();
    await proxied.close();
  });

  for (const { path, published } of ENDPOINTS) {
    it(`${path}?wsdl is the published WSDL, addressed at this server`, async () => {
      const response = await server.fetch(`${path}?wsdl`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/xml/);
      const served = await response.text();
      assert.deepEqual(structure(served), structure(published()));
      const locations = [...served.matchAll(/<soap:address location="([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(locations, [`${server.url}${path}`]);
    });
  }

  for (const { path } of ENDPOINTS) {
    it(`${path}?wsdl: every schema it imports can be read by following the import`, async () => {
      const wsdlUrl = `${server.url}${path}?wsdl`;
      const served = await (await fetch(wsdlUrl)).text();
      const inline = new Set(
        [...served.matchAll(/<xs:schema[^>]*targetNamespace="([^"]+)"/g)].map((m) => m[1]),
      );
      const imports = [...served.matchAll(/<(?:xs|xsd):(?:import|include)\b([^>]*)>/g)];
      assert.ok(imports.length > 0, "the types import namespaces");
      for (const [tag, attributes] of imports) {
        const location = /schemaLocation="([^"]+)"/.exec(attributes)?.[1];
        const namespace = /namespace="([^"]+)"/.exec(attributes)?.[1] ?? "";
        if (location === undefined) {
          assert.ok(inline.has(namespace), `${tag}: no schemaLocation and not in the document`);
          continue;
        }
        const schema = await fetch(new URL(location, wsdlUrl));
        assert.equal(schema.status, 200, `${location} answers`);
        assert.match(await schema.text(), /<(xs|xsd):schema/, `${location} is a schema`);
      }
      for (const m of served.matchAll(/<wsdl:import[^>]*location="([^"]+)"/g)) {
        const document = await fetch(new URL(m[1], wsdlUrl));
        assert.equal(document.status, 200, `${m[1]} answers`);
      }
    });
  }

  it("carries its own words, not the published prose", async () => {
    const served = await (await server.fetch("/Remote/Services86/Chat.svc?wsdl")).text();
    const publishedProse = documentation(fixture("contract/soap/Services86-Chat.wsdl"));
    assert.equal(documentation(served).length, publishedProse.length);
    for (const sentence of publishedProse) assert.ok(!served.includes(sentence), sentence);
    assert.doesNotMatch(served, /sod\.superoffice\.com|Cust12345/);
  });

  it("declares exactly three operations on Services86 Chat.svc", async () => {
    const served = await (await server.fetch("/Remote/Services86/Chat.svc?wsdl")).text();
    const portType = served.slice(
      served.indexOf("<wsdl:portType"),
      served.indexOf("</wsdl:portType>"),
    );
    const operations = [...portType.matchAll(/<wsdl:operation name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(operations, ["GetChatPresence", "SaveChatPresence", "IsWithinOpeningHours"]);
  });

  it("answers ?WSDL and ?singleWsdl too, and points a plain GET at the WSDL", async () => {
    for (const query of ["WSDL", "singleWsdl"]) {
      const response = await server.fetch(`/Remote/Services88/Chat.svc?${query}`);
      assert.match(await response.text(), /<wsdl:definitions/);
    }
    const plain = await server.fetch("/Remote/Services88/Chat.svc");
    assert.equal(plain.status, 200);
    assert.match(await plain.text(), /Chat\.svc\?wsdl/);
  });

  it("honours X-Forwarded-Proto and -Host only with --trust-proxy", async () => {
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "chat.example.com" };
    const location = async (target: TestServer) => {
      const text = await (
        await target.fetch("/Remote/Services88/SoPrincipal.svc?wsdl", { headers })
      ).text();
      return /<soap:address location="([^"]*)"/.exec(text)?.[1];
    };
    assert.equal(
      await location(proxied),
      "https://chat.example.com/Remote/Services88/SoPrincipal.svc",
    );
    assert.equal(await location(server), `${server.url}/Remote/Services88/SoPrincipal.svc`);
  });

  it("ships the WSDLs next to the compiled code", () => {
    const compiled = new URL("../dist/http/soap/wsdl.js", import.meta.url);
    if (!existsSync(compiled)) return; // not built: `npm test` builds first
    for (const { path } of ENDPOINTS) {
      const [, version, service] = /Services(\d+)\/(\w+)\.svc/.exec(path) ?? [];
      const file = new URL(
        `../dist/http/soap/wsdl/Services${version}-${service}.wsdl`,
        import.meta.url,
      );
      assert.ok(existsSync(file), `${file.pathname} (npm run build copies src/http/soap/wsdl)`);
    }
  });
});
