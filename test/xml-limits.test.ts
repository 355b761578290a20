/**
 * One set of XML limits for REST and SOAP: a REST XML body over any of them is a 400 with a
 * registry code, and no SOAP envelope at the body limit costs more than 50 ms to read.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { xmlLimits } from "../src/cli/options.ts";
import { XML_LIMITS } from "../src/http/codecs/xml.ts";
import { readEnvelope } from "../src/http/soap/envelope.ts";
import { ADMIN, assertError, call } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const BODY_LIMIT = 1024 * 1024;
const DC = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services";
const SOAP12 = "http://www.w3.org/2003/05/soap-envelope";

/** `unit` repeated inside `wrap` as often as fits in the body limit. */
function atLimit(unit: string, wrap: (inner: string) => string): string {
  const room = BODY_LIMIT - Buffer.byteLength(wrap(""));
  return wrap(unit.repeat(Math.floor(room / Buffer.byteLength(unit))));
}

const presence = (inner: string) =>
  `<ArrayOfChatPresence xmlns="${DC}">${inner}</ArrayOfChatPresence>`;
const item = "<ChatPresence><UserId>589</UserId><Present>true</Present></ChatPresence>";

/** Each over one limit, by a little or by a lot. */
const OVER: [string, string, RegExp][] = [
  [
    "depth",
    presence(`${"<a>".repeat(XML_LIMITS.maxDepth)}${"</a>".repeat(XML_LIMITS.maxDepth)}`),
    /nested deeper/,
  ],
  ["elements", presence("<x/>".repeat(XML_LIMITS.maxNodes)), /elements and attributes/],
  [
    "attributes on one element",
    `<ArrayOfChatPresence${Array.from({ length: XML_LIMITS.maxAttributes + 1 }, (_, i) => ` a${i}=""`).join("")}/>`,
    /attributes/,
  ],
  [
    "100,000 attributes",
    `<ArrayOfChatPresence>${Array.from({ length: 100 }, () => `<x${Array.from({ length: 1000 }, (_, i) => ` a${i}=""`).join("")}/>`).join("")}</ArrayOfChatPresence>`,
    /elements and attributes/,
  ],
  [
    "text",
    presence(
      `<ChatPresence><DisplayName>${"x".repeat(XML_LIMITS.maxTextLength + 1)}</DisplayName></ChatPresence>`,
    ),
    /characters of text/,
  ],
  [
    "an attribute value",
    `<ArrayOfChatPresence a="${"x".repeat(XML_LIMITS.maxTextLength + 1)}"/>`,
    /attribute value/,
  ],
  ["comments", atLimit("<!---->", presence), /tags and references/],
  [
    "entity references",
    presence(
      `<ChatPresence><DisplayName>${"&amp;".repeat(XML_LIMITS.maxMarkup + 1)}</DisplayName></ChatPresence>`,
    ),
    /tags and references/,
  ],
];

describe("XML limits", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const [name, xml, reason] of OVER) {
    it(`refuses a REST XML body over the ${name} limit with 400 PRES_ERR_BAD_BODY`, async () => {
      const reply = await call(server, ADMIN, "POST", "/api/v1/Presence/SaveAll", xml, {
        "Content-Type": "application/xml",
      });
      assertError(reply, 400, "PRES_ERR_BAD_BODY");
      assert.match(reply.body.ErrorMessage, reason);
    });
  }

  it("accepts a REST XML save of 2,000 users (within every limit)", async () => {
    const reply = await call(
      server,
      ADMIN,
      "POST",
      "/api/v1/Presence/SaveAll",
      presence(item.repeat(2000)),
      {
        "Content-Type": "application/xml",
      },
    );
    assert.equal(reply.status, 204, JSON.stringify(reply.body));
  });
});

describe("XML limits as options", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ xmlLimits: { maxNodes: 10, maxDepth: 4 } });
  });
  after(() => server.close());

  it("--xml-limits reads name=number pairs and refuses anything else", () => {
    assert.deepEqual(xmlLimits("depth=4, nodes=10,text=5,attributes=2,markup=9"), {
      maxDepth: 4,
      maxNodes: 10,
      maxTextLength: 5,
      maxAttributes: 2,
      maxMarkup: 9,
    });
    for (const bad of ["depth", "depth=0", "depth=x", "size=5", "__proto__=1", "nodes=1.5"])
      assert.throws(() => xmlLimits(bad), /name=number/, bad);
  });

  it("applies the configured limits to REST and SOAP alike", async () => {
    const headers = { "Content-Type": "application/xml" };
    const save = (xml: string) =>
      call(server, ADMIN, "POST", "/api/v1/Presence/SaveAll", xml, headers);
    assert.equal((await save(presence(item))).status, 204);
    const over = await save(presence(item.repeat(4)));
    assertError(over, 400, "PRES_ERR_BAD_BODY");
    assert.match(over.body.ErrorMessage, /more than 10 elements/);
    const soap = await server.fetch("/Remote/Services88/Chat.svc", {
      method: "POST",
      headers: { "content-type": "application/soap+xml" },
      body: envelope(`<a><b><c><d/></c></b></a>`),
    });
    assert.equal(soap.status, 400);
    assert.match(await soap.text(), /nested deeper than 4/);
  });
});

const envelope = (inner: string) =>
  `<s:Envelope xmlns:s="${SOAP12}"><s:Header><Credentials><Ticket>7T:x</Ticket></Credentials></s:Header><s:Body>${inner}</s:Body></s:Envelope>`;
const chat = (inner: string) =>
  envelope(
    `<GetChatPresence xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88">${inner}</GetChatPresence>`,
  );

/** Envelopes of the body limit's size, each as costly as its kind of markup can make it. */
const COSTLY: [string, string][] = [
  ["one long text", chat(`<x>${"a".repeat(BODY_LIMIT)}</x>`).slice(0, BODY_LIMIT)],
  ["texts at the text limit", atLimit(`<x>${"a".repeat(XML_LIMITS.maxTextLength - 10)}</x>`, chat)],
  [
    "elements up to the node limit",
    atLimit("<x>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</x>", chat),
  ],
  [
    "attributes up to the node limit",
    atLimit('<x a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9" j="10"/>', chat),
  ],
  ["namespace declarations", atLimit('<p:x xmlns:p="urn:a" xmlns:q="urn:b" q:y="1"/>', chat)],
  ["comments", atLimit("<!---->", chat)],
  ["processing instructions", atLimit("<?p?>", chat)],
  ["CDATA sections", atLimit("<![CDATA[a]]>", (inner) => chat(`<x>${inner}</x>`))],
  ["entity references", atLimit("&amp;", (inner) => chat(`<x>${inner}</x>`))],
  ["character references", atLimit("&#x41;", (inner) => chat(`<x>${inner}</x>`))],
  ["a long element name", chat(`<${"n".repeat(BODY_LIMIT - 1000)}/>`)],
  ["a long attribute name", chat(`<x ${"n".repeat(BODY_LIMIT - 1000)}="1"/>`)],
  ["a long attribute value", chat(`<x a="${"v".repeat(BODY_LIMIT - 1000)}"/>`)],
  ["whitespace inside a tag", chat(`<x${" ".repeat(BODY_LIMIT - 1000)}/>`)],
  [
    "nesting to the depth limit, repeated",
    atLimit(`${"<a>".repeat(28)}${"</a>".repeat(28)}`, chat),
  ],
  ["multi-byte text", atLimit("<x>æøå€</x>", chat)],
];

describe("SOAP envelopes at the body limit", () => {
  it("are each read (or refused) in under 50 ms", () => {
    // A running server has read envelopes before: warm the parser up once.
    for (const [, xml] of COSTLY) tryRead(Buffer.from(xml));
    const lines: string[] = [];
    for (const [name, xml] of COSTLY) {
      const body = Buffer.from(xml);
      assert.ok(
        body.length <= BODY_LIMIT && body.length > BODY_LIMIT * 0.9,
        `${name}: ${body.length}`,
      );
      let best = Infinity;
      let outcome = "";
      for (let attempt = 0; attempt < 5; attempt++) {
        const started = performance.now();
        outcome = tryRead(body);
        best = Math.min(best, performance.now() - started);
      }
      lines.push(`${name}: ${best.toFixed(1)} ms (${outcome})`);
      assert.ok(best < 50, `${name} took ${best.toFixed(1)} ms`);
    }
    console.log(lines.join("\n"));
  });
});

function tryRead(body: Buffer): string {
  try {
    readEnvelope(body, "application/soap+xml");
    return "read";
  } catch (error) {
    return (error as Error).message.replace(/^The request body is not valid: /, "");
  }
}
