/**
 * A fixed list of hostile inputs, each refused with a clear, coded error in under 100 ms (best
 * of three, so a loaded machine's hiccup is not mistaken for work the server did) and without
 * the process's memory growing: entity expansion, deep nesting, floods, bad encodings, numbers
 * out of range, prototype keys, oversized headers and bodies, malformed HTTP, slow clients.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { CASES, type Hostile, SAVE } from "./support/hostile-cases.ts";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const ADMIN = basic("tje0", "Tje0");
const LIMIT_MS = 100;
const MEMORY_LIMIT = 64 * 1024 * 1024;

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
