/**
 * Open change streams are bounded per user and in all (the total from the open-file limit):
 * over either, 429 with a registry code, while the API keeps answering.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  FALLBACK_OPEN_FILES,
  openFileLimit,
  totalStreamLimit,
} from "../src/realtime/stream-limits.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { openStream, type SseStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0") };
const KUHN = { Authorization: basic("kuhn", PASSWORD) };
const OCON = { Authorization: basic("ocon", PASSWORD) };
const PER_USER = 3;
const TOTAL = 5;

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("stream limits", () => {
  let server: TestServer;
  const open: SseStream[] = [];
  before(async () => {
    server = await startTestServer({ streamsPerUser: PER_USER, streamLimit: TOTAL });
  });
  after(async () => {
    for (const stream of open) stream.close();
    await server.close();
  });

  async function tryOpen(headers: Record<string, string>, language = "en") {
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, {
      ...headers,
      "SO-Language": language,
    });
    open.push(stream);
    return stream;
  }

  async function apiAnswers() {
    const started = performance.now();
    const [health, all] = await Promise.all([
      server.fetch("/healthz"),
      server.fetch("/api/v1/Presence/GetAll", { headers: KUHN }),
    ]);
    assert.equal(health.status, 200);
    assert.equal(all.status, 200);
    return performance.now() - started;
  }

  it("one user opening 60 streams at once gets exactly the per-user limit; the rest are 429", async () => {
    const streams = await Promise.all(Array.from({ length: 60 }, () => tryOpen(KUHN)));
    const statuses = streams.map((s) => s.status);
    assert.equal(statuses.filter((s) => s === 200).length, PER_USER);
    assert.equal(statuses.filter((s) => s === 429).length, 60 - PER_USER);
    assert.equal(server.app.streams.openStreams, PER_USER);
    assert.ok((await apiAnswers()) < 2_000);
  });

  it("the refusal is SuperOffice's error body, in English or Norwegian", async () => {
    const response = await server.fetch("/api/v1/Presence/Stream", {
      headers: { ...KUHN, "SO-Language": "nb" },
    });
    assert.equal(response.status, 429);
    const body = await response.json();
    assert.equal(body.ErrorType, "TooManyRequestsException");
    assert.equal(
      body.ErrorMessage,
      `Du har allerede ${PER_USER} endringsstrømmer åpne, det meste én bruker kan ha; lukk én først`,
    );
    const english = await (await server.fetch("/api/v1/Presence/Stream", { headers: KUHN })).json();
    assert.match(english.ErrorMessage, /^You already have 3 change streams open/);
  });

  it("past the server's total, every user is refused, with Retry-After, while the API answers", async (t) => {
    const second = await Promise.all(Array.from({ length: 10 }, () => tryOpen(OCON)));
    // OCON's own limit is 3, but only TOTAL - PER_USER places are left.
    assert.equal(second.filter((s) => s.status === 200).length, TOTAL - PER_USER);
    assert.equal(server.app.streams.openStreams, TOTAL);
    const response = await server.fetch("/api/v1/Presence/Stream", { headers: ADMIN });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.match((await response.json()).ErrorMessage, /^The server has 5 change streams open/);
    let slowest = 0;
    for (let i = 0; i < 20; i++) slowest = Math.max(slowest, await apiAnswers());
    assert.ok(slowest < 2_000);
    t.diagnostic(`slowest /healthz + GetAll pair at the total limit: ${slowest.toFixed(1)} ms`);
  });

  it("a closed stream gives its place back at once", async () => {
    for (const stream of open.filter((s) => s.status === 200)) stream.close();
    await until(() => server.app.streams.openStreams === 0);
    const streams = await Promise.all(Array.from({ length: PER_USER }, () => tryOpen(KUHN)));
    assert.deepEqual(
      streams.map((s) => s.status),
      Array(PER_USER).fill(200),
    );
    assert.equal((await streams[0].next()).event, "snapshot");
  });
});

describe("the total stream limit follows the open-file limit", () => {
  it("reads the soft limit from /proc/self/limits", () => {
    const text = [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max cpu time              unlimited            unlimited            seconds   ",
      "Max open files            4096                 524288               files     ",
    ].join("\n");
    assert.equal(openFileLimit(text), 4096);
    assert.equal(openFileLimit("Max open files            unlimited   unlimited   files"), null);
    assert.equal(openFileLimit(""), null);
  });

  it("keeps a reserve for API traffic: a quarter of the limit, at least 256", () => {
    assert.equal(totalStreamLimit(4096), 3072);
    assert.equal(totalStreamLimit(1024), 768);
    assert.equal(totalStreamLimit(300), 44);
    assert.equal(totalStreamLimit(100), 1);
    assert.equal(totalStreamLimit(), totalStreamLimit(openFileLimit() ?? FALLBACK_OPEN_FILES));
  });

  it("a server started without options applies it", async () => {
    const server = await startTestServer();
    try {
      const limits = server.app.streams.limits;
      assert.equal(limits.maxPerUser, 20);
      assert.equal(limits.maxTotal, totalStreamLimit());
    } finally {
      await server.close();
    }
  });
});
