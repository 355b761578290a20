/**
 * Operations: /metrics (Prometheus text, admin or metrics token), /readyz (store reachable,
 * distinct from /healthz), a request id on every log line and response, and CORS by origin list.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const ADMIN = basic("tje0", "Tje0");
const TOKEN = "metrics-token-0123456789";

function value(text: string, metric: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${metric} `) || l.startsWith(metric));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("/metrics, /readyz, request ids and CORS", () => {
  let server: TestServer;
  const logLines: Record<string, unknown>[] = [];
  before(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer({
      metricsToken: TOKEN,
      corsOrigins: ["https://app.example"],
      logger: { level: "info", stream },
    });
  });
  after(() => server.close());

  const metrics = async (authorization?: string) => {
    const response = await server.fetch("/metrics", {
      headers: authorization ? { Authorization: authorization } : {},
    });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      text: await response.text(),
    };
  };

  it("is restricted to admins and the metrics token", async () => {
    assert.equal((await metrics()).status, 401);
    assert.equal((await metrics(basic("kuhn", "s3cret-pw"))).status, 403);
    assert.equal((await metrics("Bearer wrong-token")).status, 401);
    assert.equal((await metrics(ADMIN)).status, 200);
    const byToken = await metrics(`Bearer ${TOKEN}`);
    assert.equal(byToken.status, 200);
    assert.match(byToken.type ?? "", /^text\/plain; version=0\.0\.4/);
  });

  it("counts requests and latency by route and status, and reads presence, chats, streams, webhooks and the store", async () => {
    const save = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: { Authorization: ADMIN, "Content-Type": "application/json" },
      body: '[{"UserId":883,"Present":true},{"UserId":589,"Present":true}]',
    });
    assert.equal(save.status, 204);
    for (let i = 0; i < 3; i++)
      await (
        await server.fetch("/api/v1/Presence/GetAll", { headers: { Authorization: ADMIN } })
      ).arrayBuffer();
    await (await server.fetch("/no/such/route/123")).arrayBuffer();
    const controller = new AbortController();
    const stream = await server.fetch("/api/v1/Presence/Stream", {
      headers: { Authorization: ADMIN },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    const { text } = await metrics(`Bearer ${TOKEN}`);
    controller.abort();
    const presence = await server.services.presence.getAll();
    const ongoing = presence.presence.reduce((n, p) => n + p.OngoingChats, 0);
    assert.equal(
      value(
        text,
        'chat_presence_http_requests_total{method="GET",route="/api/v1/Presence/GetAll",status="200"}',
      ),
      3,
    );
    assert.equal(
      value(
        text,
        'chat_presence_http_request_duration_seconds_count{method="POST",route="/api/v1/Presence/SaveAll",status="204"}',
      ),
      1,
    );
    assert.equal(
      value(
        text,
        'chat_presence_http_requests_total{method="GET",route="(unmatched)",status="404"}',
      ),
      1,
    );
    assert.equal(value(text, "chat_presence_present_agents"), 2);
    assert.equal(value(text, "chat_presence_ongoing_chats"), ongoing);
    assert.ok(ongoing > 0);
    assert.equal(value(text, "chat_presence_stream_subscribers"), 1);
    assert.ok(
      (value(text, 'chat_presence_store_duration_seconds_count{operation="savePresence"}') ?? 0) >=
        1,
    );
    assert.equal(value(text, 'chat_presence_webhook_deliveries{outcome="failed"}'), 0);
    assert.ok((value(text, "process_resident_memory_bytes") ?? 0) > 0);
    assert.doesNotMatch(text, /route="\/no\/such/, "unmatched paths never become labels");
  });

  it("/readyz says whether the store answers; /healthz only that the process is up", async () => {
    const ready = await server.fetch("/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready" });
    const store = server.store as { ping: () => Promise<void> };
    const ping = store.ping;
    store.ping = async () => {
      throw new Error("connection refused");
    };
    try {
      const down = await server.fetch("/readyz");
      assert.equal(down.status, 503);
      assert.equal(
        ((await down.json()) as { ErrorCode: string }).ErrorCode,
        "PRES_ERR_UNAVAILABLE",
      );
      assert.equal((await server.fetch("/healthz")).status, 200);
      store.ping = () => new Promise(() => undefined); // a store that hangs
      const started = performance.now();
      const hung = await server.fetch("/readyz");
      await hung.arrayBuffer();
      assert.equal(hung.status, 503);
      assert.ok(performance.now() - started < 4000);
    } finally {
      store.ping = ping;
    }
  });

  it("puts the request id on every log line of a request and in the request-id header", async () => {
    logLines.length = 0;
    const response = await server.fetch("/api/v1/Presence/GetAll", {
      headers: { Authorization: ADMIN },
    });
    await response.arrayBuffer();
    const id = response.headers.get("request-id");
    assert.match(id ?? "", /^[0-9a-f-]{36}$/);
    const failing = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: { Authorization: ADMIN, "Content-Type": "application/json" },
      body: "{",
    });
    await failing.arrayBuffer();
    const lines = logLines.filter((l) => l.req || l.res || l.reqId);
    assert.ok(lines.length >= 4, `request log lines: ${lines.length}`);
    for (const line of lines)
      assert.match(String(line.reqId), /^[0-9a-f-]{36}$/, JSON.stringify(line));
    assert.ok(lines.some((l) => l.reqId === id));
    assert.ok(lines.some((l) => l.reqId === failing.headers.get("request-id")));
    // A client cannot choose its request id (it would let it forge log lines).
    const forged = await server.fetch("/healthz", { headers: { "request-id": "forged" } });
    assert.notEqual(forged.headers.get("request-id"), "forged");
    const secrets = JSON.stringify(logLines);
    assert.doesNotMatch(secrets, /Tje0|s3cret|Basic /);
  });

  it("allows only the configured origins (CORS)", async () => {
    const allowed = await server.fetch("/api/v1/Presence/GetAll", {
      headers: { Authorization: ADMIN, Origin: "https://app.example" },
    });
    await allowed.arrayBuffer();
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(allowed.headers.get("access-control-expose-headers") ?? "", /request-id/);
    const other = await server.fetch("/api/v1/Presence/GetAll", {
      headers: { Authorization: ADMIN, Origin: "https://evil.example" },
    });
    await other.arrayBuffer();
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    const preflight = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
    const refused = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(refused.status, 403);
  });
});
