/**
 * A fixed list of hostile inputs, each refused with a clear, coded error in under 100 ms (best
 * of three, so a loaded machine's hiccup is not mistaken for work the server did) and without
 * the process's memory growing: entity expansion, deep nesting, floods, bad encodings, numbers
 * out of range, prototype keys, oversized headers and bodies, malformed HTTP, slow clients.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { basic, startTestServer, type TestServer } from "./helpers.ts";

const ADMIN = basic("tje0", "Tje0");
const SAVE = "/api/v1/Presence/SaveAll";
const AGENTS_SAVE = "/api/v1/Agents/Chat/SaveChatPresence";
const SOAP11 = "/Remote/Services86/Chat.svc";
const SOAP12 = "/Remote/Services88/Chat.svc";
const LIMIT_MS = 100;
const MEMORY_LIMIT = 64 * 1024 * 1024;

const soap12 = (body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
const laughs = [
  '<!ENTITY lol "lol">',
  ...Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`,
  ),
].join("");
const quadratic = `<!DOCTYPE x [<!ENTITY a "${"x".repeat(100_000)}">]><x>${"&a;".repeat(10_000)}</x>`;
const deepJson = (n: number) => "[".repeat(n) + "]".repeat(n);

interface Hostile {
  name: string;
  path: string;
  type: string;
  body: () => string | Buffer;
  status: number;
  /** The registry code (REST) or a pattern of the fault text (SOAP). */
  expect: string | RegExp;
  headers?: Record<string, string>;
}

const CASES: Hostile[] = [
  // Entities: refused at the DOCTYPE, before anything could be expanded or fetched.
  ...[
    ["external entity (XXE)", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
    ["billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [${laughs}]><lolz>&lol9;</lolz>`],
    ["quadratic blow-up", quadratic],
  ].flatMap(([name, xml]): Hostile[] => [
    {
      name: `REST ${name}`,
      path: SAVE,
      type: "application/xml",
      body: () => xml,
      status: 400,
      expect: "PRES_ERR_BAD_BODY",
    },
    {
      name: `SOAP 1.2 ${name}`,
      path: SOAP12,
      type: "application/soap+xml",
      body: () => xml.replace(/<x>.*<\/x>|<lolz>.*<\/lolz>/, (inner) => soap12(inner)),
      status: 400,
      expect: /DOCTYPE/,
    },
  ]),
  {
    name: "undeclared entities ×100,000",
    path: SAVE,
    type: "application/xml",
    body: () => `<x>${"&a;".repeat(100_000)}</x>`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Nesting.
  {
    name: "JSON arrays 10,000 deep",
    path: SAVE,
    type: "application/json",
    body: () => deepJson(10_000),
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "JSON objects 10,000 deep",
    path: AGENTS_SAVE,
    type: "application/json",
    body: () => `${'{"ChatPresence":'.repeat(10_000)}1${"}".repeat(10_000)}`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "XML 10,000 deep",
    path: SAVE,
    type: "application/xml",
    body: () => "<a>".repeat(10_000) + "</a>".repeat(10_000),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "SOAP 1.1 10,000 deep",
    path: SOAP11,
    type: "text/xml",
    body: () =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${"<a>".repeat(10_000)}${"</a>".repeat(10_000)}</s:Body></s:Envelope>`,
    status: 500,
    expect: /nested deeper/,
  },
  {
    name: "form key 10,000 deep",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () => `ChatPresence${"[0]".repeat(10_000)}=1`,
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Size.
  {
    name: "JSON body over the limit (2 MiB)",
    path: SAVE,
    type: "application/json",
    body: () => `[${" ".repeat(2 * 1024 * 1024)}]`,
    status: 413,
    expect: "PRES_ERR_TOO_LARGE",
  },
  {
    name: "SOAP body over the limit (2 MiB)",
    path: SOAP12,
    type: "application/soap+xml",
    body: () => soap12(" ".repeat(2 * 1024 * 1024)),
    status: 400,
    expect: /larger than the limit/,
  },
  {
    name: "huge array (150,000 numbers)",
    path: SAVE,
    type: "application/json",
    body: () => JSON.stringify(Array.from({ length: 150_000 }, (_, i) => i % 10)),
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "huge array (25,000 unknown users)",
    path: SAVE,
    type: "application/json",
    body: () =>
      JSON.stringify(
        Array.from({ length: 25_000 }, (_, i) => ({ UserId: 100_000 + i, Present: true })),
      ),
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "form flood (100,000 fields)",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () => Array.from({ length: 100_000 }, (_, i) => `f${i}=1`).join("&"),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  // Encodings and types.
  {
    name: "invalid UTF-8 (JSON)",
    path: SAVE,
    type: "application/json; charset=utf-8",
    body: () => Buffer.from([0x5b, 0xc3, 0x28, 0xff, 0x5d]),
    status: 400,
    expect: "PRES_ERR_BAD_BODY",
  },
  {
    name: "invalid UTF-8 (SOAP)",
    path: SOAP12,
    type: "application/soap+xml; charset=utf-8",
    body: () =>
      Buffer.concat([Buffer.from(soap12("<x>")), Buffer.from([0xff, 0xfe]), Buffer.from("</x>")]),
    status: 400,
    expect: /not valid utf-8/,
  },
  {
    name: "unknown charset",
    path: SAVE,
    type: "application/json; charset=x-hostile",
    body: () => "[]",
    status: 415,
    expect: "PRES_ERR_MEDIA_TYPE",
  },
  {
    name: "UserId 2^31 (out of int32)",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":2147483648,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId -2^31-1",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":-2147483649,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId 1e400",
    path: SAVE,
    type: "application/json",
    body: () => '[{"UserId":1e400,"Present":true}]',
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  {
    name: "UserId as a 400-digit string",
    path: SAVE,
    type: "application/json",
    body: () => `[{"UserId":"${"9".repeat(400)}"}]`,
    status: 400,
    expect: "PRES_ERR_BAD_ENTRY",
  },
  // Prototype keys are data, never the prototype (checked after the run as well).
  {
    name: "__proto__ / constructor keys (JSON)",
    path: SAVE,
    type: "application/json",
    body: () =>
      '[{"__proto__":{"Present":true,"polluted":1},"constructor":{"prototype":{"polluted":1}},"UserId":0}]',
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "__proto__ keys (form)",
    path: AGENTS_SAVE,
    type: "application/x-www-form-urlencoded",
    body: () =>
      "__proto__[polluted]=1&ChatPresence[0][__proto__][polluted]=1&ChatPresence[0][UserId]=0",
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
  {
    name: "__proto__ keys (XML)",
    path: SAVE,
    type: "application/xml",
    body: () =>
      "<ArrayOfChatPresence><ChatPresence><__proto__><polluted>1</polluted></__proto__><UserId>0</UserId></ChatPresence></ArrayOfChatPresence>",
    status: 400,
    expect: "PRES_ERR_UNKNOWN_USER",
  },
];

async function timed(server: TestServer, c: Hostile) {
  let best = Number.POSITIVE_INFINITY;
  let status = 0;
  let text = "";
  let grew = 0;
  for (let i = 0; i < 3; i++) {
    const rss = process.memoryUsage.rss();
    const started = performance.now();
    const response = await server.fetch(c.path, {
      method: "POST",
      headers: { Authorization: ADMIN, "Content-Type": c.type, ...c.headers },
      body: ((b) => (typeof b === "string" ? b : new Uint8Array(b)))(c.body()),
    });
    text = await response.text();
    best = Math.min(best, performance.now() - started);
    grew = Math.max(grew, process.memoryUsage.rss() - rss);
    status = response.status;
  }
  return { best, status, text, grew };
}

/** Sends raw bytes and reads until the server closes the connection. */
function raw(
  url: string,
  chunks: (string | Buffer)[],
  gapMs = 0,
): Promise<{ text: string; ms: number }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(Number(port), "127.0.0.1");
    let text = "";
    let timer: NodeJS.Timeout | undefined;
    socket.on("data", (d) => {
      text += d.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, ms: performance.now() - started });
    });
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open: ${text.slice(0, 200)}`));
    }, 15_000);
    deadline.unref();
    let i = 0;
    const next = () => {
      if (socket.destroyed || i >= chunks.length) return;
      socket.write(chunks[i++]);
      timer = setTimeout(next, gapMs);
    };
    socket.on("connect", next);
  });
}

describe("hostile input", () => {
  let server: TestServer;
  const report: string[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
    console.log(`hostile inputs refused:\n${report.join("\n")}`);
  });

  for (const c of CASES) {
    it(`refuses ${c.name}`, async () => {
      const { best, status, text, grew } = await timed(server, c);
      report.push(
        `  ${c.name}: ${status} in ${best.toFixed(1)} ms, RSS +${(grew / 1048576).toFixed(1)} MiB`,
      );
      assert.equal(status, c.status, text.slice(0, 300));
      if (typeof c.expect === "string") assert.equal(JSON.parse(text).ErrorCode, c.expect, text);
      else assert.match(text, c.expect);
      assert.ok(best < LIMIT_MS, `answered in ${best.toFixed(1)} ms`);
      assert.ok(grew < MEMORY_LIMIT, `RSS grew ${grew} bytes`);
    });
  }

  it("left Object.prototype untouched", () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).Present, undefined);
  });

  it("answers a 20 KB header with 431 PRES_ERR_HEADERS_TOO_LARGE", async () => {
    const { text, ms } = await raw(server.url, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ]);
    report.push(`  20 KB header: ${text.split("\r\n")[0]} in ${ms.toFixed(1)} ms`);
    assert.match(text, /^HTTP\/1\.1 431 /);
    assert.match(text, /"ErrorCode":"PRES_ERR_HEADERS_TOO_LARGE"/);
    assert.ok(ms < 1000);
  });

  it("answers a flood of 3,000 headers with 431", async () => {
    const headers = Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${i}\r\n`).join("");
    const { text } = await raw(server.url, [`GET /healthz HTTP/1.1\r\nHost: x\r\n${headers}\r\n`]);
    report.push(`  3,000 headers: ${text.split("\r\n")[0]}`);
    assert.match(text, /^HTTP\/1\.1 431 /);
  });

  it("answers a malformed request line with 400 PRES_ERR_BAD_HTTP", async () => {
    const { text } = await raw(server.url, ["GET /healthz HTTP/9\x00\r\n\r\n"]);
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /"ErrorCode":"PRES_ERR_BAD_HTTP"/);
  });

  it("answers a 10 KB $select and a query flood without trouble", async () => {
    const select = await server.fetch(`/api/v1/Presence/GetAll?$select=${"UserId,".repeat(1400)}`, {
      headers: { Authorization: ADMIN },
    });
    assert.equal(select.status, 200);
    const flood = await server.fetch(
      `/api/v1/Presence/GetAll?${Array.from({ length: 1500 }, (_, i) => `q${i}=1`).join("&")}`,
      { headers: { Authorization: ADMIN } },
    );
    assert.equal(flood.status, 200);
  });
});

describe("slow clients (slow loris)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
  });
  after(() => server.close());

  it("cuts a client that sends its headers a byte at a time: 408 within the headers timeout", async () => {
    const bytes = [
      ..."GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n",
    ];
    const { text, ms } = await raw(server.url, bytes, 200);
    console.log(`slow headers: ${text.split("\r\n")[0]} after ${ms.toFixed(0)} ms`);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /"ErrorCode":"PRES_ERR_TIMEOUT"/);
    assert.ok(ms >= 900 && ms < 4000, `${ms} ms`);
  });

  it("cuts a client that trickles its body: 408 within the request timeout", async () => {
    const head = `POST ${SAVE} HTTP/1.1\r\nHost: x\r\nAuthorization: ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`;
    const { text, ms } = await raw(server.url, [head, ..."[".repeat(100)], 200);
    console.log(`slow body: ${text.split("\r\n")[0]} after ${ms.toFixed(0)} ms`);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms >= 1400 && ms < 5000, `${ms} ms`);
  });

  it("keeps a change stream open past the request timeout", async () => {
    const controller = new AbortController();
    const response = await server.fetch("/api/v1/Presence/Stream?userId=883", {
      headers: { Authorization: ADMIN },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the snapshot
    await new Promise((r) => setTimeout(r, 2500));
    const saved = await server.fetch(SAVE, {
      method: "POST",
      headers: { Authorization: ADMIN, "Content-Type": "application/json" },
      body: '[{"UserId":883,"Present":true}]',
    });
    assert.equal(saved.status, 204);
    let seen = "";
    while (!seen.includes("event: change")) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the stream ended");
      seen += Buffer.from(value).toString();
    }
    controller.abort();
  });
});
