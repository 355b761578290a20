/**
 * Security headers by default: the dashboard's CSP (no inline script), frame-ancestors 'none'
 * and nosniff, and CORS off (no Access-Control headers, preflights refused).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("security headers", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("serves the dashboard with CSP (no inline script), frame-ancestors 'none' and nosniff", async () => {
    for (const path of ["/", "/app.js", "/session.js", "/stream.js", "/users.js", "/style.css"]) {
      const response = await server.fetch(path);
      await response.arrayBuffer();
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
    }
    const page = await (await server.fetch("/")).text();
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/i, "no inline script in the page");
  });

  it("has CORS off by default: no Access-Control headers, preflights refused", async () => {
    const response = await server.fetch("/api/v1/Presence/GetAll", {
      headers: { Origin: "https://evil.example" },
    });
    await response.arrayBuffer();
    assert.equal(response.headers.get("access-control-allow-origin"), null);
    const preflight = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    await preflight.arrayBuffer();
    assert.ok(preflight.status >= 400, `preflight answered ${preflight.status}`);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  });
});
