/**
 * The authorization matrix: every route in /openapi.json × {no credentials, expired ticket,
 * online mode without an application token, other agent, agent, admin} → the status in one
 * table. The route list is read at test time, so a route without a row fails the test.
 * Requests are built from the document itself (path and query parameters, bodies from the
 * schemas) with seed values; the seed is imported again before every call, so each call sees
 * the same state. `MATRIX_PRINT=1` prints the observed table to paste after a deliberate change.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Seed } from "../src/domain/seed.ts";
import { hashPassword } from "../src/service/secrets.ts";
import { PASSWORD, startTestServer, type TestServer, testSeed } from "./support/server.ts";

/** "none expired online other agent admin" per "METHOD path". Agent kuhn (883), other ocon (589). */
const MATRIX: Record<string, string> = {
  "POST /api/v1/Auth/Login": "200 200 401 200 200 200",
  "POST /api/v1/Auth/Logout": "401 401 401 204 204 204",
  "GET /api/v1/Auth/Me": "401 401 401 200 200 200",
  "GET /api/v1/Presence/GetAll": "401 401 401 200 200 200",
  "POST /api/v1/Presence/SaveAll": "401 401 401 403 204 204",
  "POST /api/v1/Agents/Chat/GetChatPresence": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/SaveChatPresence": "401 401 401 403 204 204",
  "GET /api/v1/Presence/Stream": "401 401 401 200 200 200",
  "GET /api/v1/Presence/History": "401 401 401 200 200 200",
  "POST /api/v1/Presence/Heartbeat": "401 401 401 403 204 204",
  "POST /api/v1/Webhooks": "401 401 401 403 403 201",
  "GET /api/v1/Webhooks": "401 401 401 403 403 200",
  "GET /api/v1/Webhooks/{id}": "401 401 401 403 403 200",
  "DELETE /api/v1/Webhooks/{id}": "401 401 401 403 403 204",
  "GET /api/v1/Webhooks/{id}/Deliveries": "401 401 401 403 403 200",
  "GET /api/v1/ChatTopic/default": "401 401 401 200 200 200",
  "POST /api/v1/ChatTopic": "401 401 401 403 403 200",
  "GET /api/v1/ChatTopic/{id}": "401 401 401 403 200 200",
  "PUT /api/v1/ChatTopic/{id}": "401 401 401 403 403 200",
  "DELETE /api/v1/ChatTopic/{id}": "401 401 401 403 403 204",
  "GET /api/v1/ChatTopic/{id}/Sessions": "401 401 401 403 200 200",
  "POST /api/v1/ChatTopic/{id}/Sessions": "401 401 401 200 200 200",
  "GET /api/v1/ChatTopic/{chatTopicId}/IsOpen": "401 401 401 200 200 200",
  "GET /api/v1/ChatTopic/ForCurrentUser": "401 401 401 200 200 200",
  "GET /api/v1/ChatTopic/UserAgents": "401 401 401 200 200 200",
  "GET /api/v1/ChatTopic/{chatTopicId}/UserAgent": "401 401 401 403 200 200",
  "PUT /api/v1/ChatTopic/{chatTopicId}/UserAgent": "401 401 401 403 403 200",
  "POST /api/v1/ChatTopic/{chatTopicId}/UserAgent": "401 401 401 403 403 200",
  "GET /api/v1/ChatTopic/{chatTopicId}/UserAgent/{username}": "401 401 401 403 200 200",
  "PUT /api/v1/ChatTopic/{chatTopicId}/UserAgent/{username}": "401 401 401 403 403 200",
  "DELETE /api/v1/ChatTopic/{chatTopicId}/UserAgent/{username}": "401 401 401 403 403 204",
  "GET /api/v1/ChatSession/default": "401 401 401 200 200 200",
  "GET /api/v1/ChatSession": "401 401 401 200 200 200",
  "POST /api/v1/ChatSession": "401 401 401 200 200 200",
  "GET /api/v1/ChatSession/{id}": "401 401 401 403 200 200",
  "PUT /api/v1/ChatSession/{id}": "401 401 401 403 200 200",
  "DELETE /api/v1/ChatSession/{id}": "401 401 401 403 403 204",
  "GET /api/v1/ChatSession/ForCurrentUser": "401 401 401 200 200 200",
  "POST /api/v1/ChatSession/Pickup": "401 401 401 200 200 200",
  "POST /api/v1/ChatSession/{chatSessionId}/Pickup": "401 401 401 403 409 409",
  "POST /api/v1/ChatSession/{chatSessionId}/TransferTo/{toAssociate}": "401 401 401 403 400 200",
  "POST /api/v1/ChatSession/{chatSessionId}/AcceptTransfer": "401 401 401 409 409 409",
  "POST /api/v1/ChatSession/{chatSessionId}/RejectTransfer": "401 401 401 409 409 409",
  "POST /api/v1/ChatSession/{chatSessionId}/Reset": "401 401 401 403 200 200",
  "GET /api/v1/ChatSession/{chatSessionId}/Messages": "401 401 401 403 200 200",
  "POST /api/v1/ChatSession/{chatSessionId}/Messages": "401 401 401 403 200 200",
  "POST /api/v1/ChatSession/{chatSessionId}/Transcript": "401 401 401 403 200 200",
  "GET /api/v1/ChatSession/{chatSessionId}/Stream": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/GetChatTopicEntity": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/SaveChatTopicEntity": "401 401 401 403 403 200",
  "POST /api/v1/Agents/Chat/DeleteChatTopicEntity": "401 401 401 403 403 204",
  "POST /api/v1/Agents/Chat/CreateDefaultChatTopicEntity": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/CreateDefaultChatTopicAgent": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/ChatTopicsForUser": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/GetChatTopicUserAgentList": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/GetChatTopicUserAgent": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/AddChatTopicUserAgent": "401 401 401 403 403 200",
  "POST /api/v1/Agents/Chat/UpdateChatTopicUserAgent": "401 401 401 403 403 200",
  "POST /api/v1/Agents/Chat/UpdateChatTopicUserAgents": "401 401 401 403 403 200",
  "POST /api/v1/Agents/Chat/DeleteChatTopicUserAgent": "401 401 401 403 403 204",
  "POST /api/v1/Agents/Chat/GetUserAgentList": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/IsWithinOpeningHours": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/CreateChatSessionForTopic": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/CreateDefaultChatSessionEntity": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/GetChatSessionEntity": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/DeleteChatSessionEntity": "401 401 401 403 403 204",
  "POST /api/v1/Agents/Chat/SaveChatSessionEntity": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/ChatSessionsForUser": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/PickUpChatSession": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/PickUpFirstChatSession": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/TransferChatSession": "401 401 401 403 400 200",
  "POST /api/v1/Agents/Chat/AcceptChatSessionTransfer": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/RejectChatSessionTransfer": "401 401 401 200 200 200",
  "POST /api/v1/Agents/Chat/ResetChatSession": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/AddChatMessage": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/GetChatMessages": "401 401 401 403 200 200",
  "POST /api/v1/Agents/Chat/GetChatTranscript": "401 401 401 403 200 200",
  "GET /api/v1/ChatUser": "401 401 401 403 403 200",
  "POST /api/v1/ChatUser": "401 401 401 403 403 201",
  "GET /api/v1/ChatUser/{id}": "401 401 401 403 403 200",
  "PUT /api/v1/ChatUser/{id}": "401 401 401 403 403 200",
  "DELETE /api/v1/ChatUser/{id}": "401 401 401 403 403 204",
  "POST /api/v1/ChatUser/{id}/Password": "401 401 401 403 403 204",
  "GET /openapi.json": "200 200 200 200 200 200",
  "GET /healthz": "200 200 200 200 200 200",
  "GET /readyz": "200 200 200 200 200 200",
  "DELETE /api/v1/ChatUser/{id}/Credentials": "401 401 401 403 403 204",
  "GET /metrics": "401 401 401 403 403 200",
  "GET /": "200 200 200 200 200 200",
  "GET /app.js": "200 200 200 200 200 200",
  "GET /session.js": "200 200 200 200 200 200",
  "GET /stream.js": "200 200 200 200 200 200",
  "GET /users.js": "200 200 200 200 200 200",
  "GET /style.css": "200 200 200 200 200 200",
};

type Who = "none" | "expired" | "online" | "other" | "agent" | "admin";
const WHO: Who[] = ["none", "expired", "online", "other", "agent", "admin"];
const USER_OF = { expired: 883, online: 1, other: 589, agent: 883, admin: 1 } as const;

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read as plain JSON
type Json = any;

/** Seed values by parameter or property name (lower case). */
const VALUES: Record<string, unknown> = {
  id: 0, // by path, see pathValue
  chattopicid: 574,
  topicid: 574,
  chattopicentityid: 574,
  chatsessionid: 1,
  chatsessionentityid: 1,
  sessionid: 1,
  userid: 883,
  associateid: 883,
  username: "kuhn",
  toassociate: "ocon",
  url: "http://127.0.0.1:9/hook",
  secret: "0123456789abcdef0123",
  password: PASSWORD,
  present: true,
  name: "Matrix topic",
  role: "agent",
  canrespond: true,
  canlisten: true,
};

/** Bodies that the schema samples cannot guess, by route. */
const BODIES: Record<string, unknown> = {
  "POST /api/v1/ChatUser": { Username: "newbie", Password: "newbie-pw-1", Role: "agent" },
  // A new session waits in the queue: it names its topic, never a user.
  "POST /api/v1/ChatSession": { TopicId: 574 },
  // A message needs its Type and text, which no schema sample can guess.
  "POST /api/v1/ChatSession/{chatSessionId}/Messages": { Type: "ToCustomer", Message: "Matrix" },
  "POST /api/v1/Agents/Chat/AddChatMessage": {
    ChatSessionId: 1,
    Message: { Type: "ToCustomer", Message: "Matrix" },
  },
};

/** The test seed with its passwords hashed once (importing it before every call stays cheap). */
async function hashedSeed(): Promise<Seed> {
  const seed = testSeed();
  for (const user of seed.users) {
    if (user.password) user.passwordHash = await hashPassword(user.password);
    user.password = null;
  }
  return seed;
}

function pathValue(path: string, name: string, webhookId: number): string {
  if (name !== "id") return String(VALUES[name.toLowerCase()] ?? 1);
  if (path.startsWith("/api/v1/Webhooks")) return String(webhookId);
  if (path.startsWith("/api/v1/ChatTopic")) return "574";
  if (path.startsWith("/api/v1/ChatSession")) return "1";
  if (path.startsWith("/api/v1/ChatUser")) return "883";
  return "1";
}

function sample(doc: Json, schema: Json, depth = 0, name = ""): unknown {
  if (!schema || depth > 4) return undefined;
  if (schema.$ref)
    return sample(doc, doc.components.schemas[schema.$ref.split("/").pop()], depth, name);
  const known = VALUES[name.toLowerCase()];
  if (known !== undefined && name !== "Id" && schema.type !== "object") return known;
  if (schema.type === "array") {
    const item = sample(doc, schema.items, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (schema.type === "integer") return 0;
  if (schema.type === "boolean") return false;
  if (schema.type === "string") return undefined; // left out: strings carry formats (times, statuses)
  const out: Record<string, unknown> = {};
  for (const [property, child] of Object.entries<Json>(schema.properties ?? {}))
    out[property] = sample(doc, child, depth + 1, property);
  if ("Present" in out) out.UserId = 883;
  return out;
}

interface Built {
  method: string;
  url: string;
  body?: string;
}

function build(doc: Json, method: string, path: string, op: Json, webhookId: number): Built {
  let url = path.replace(/\{(\w+)\}/g, (_, name) => pathValue(path, name, webhookId));
  const query = (op.parameters ?? []).filter((p: Json) => p.in === "query" && p.required);
  if (query.length > 0)
    url += `?${query.map((p: Json) => `${p.name}=${VALUES[p.name.toLowerCase()] ?? 574}`).join("&")}`;
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  const body = BODIES[`${method} ${path}`] ?? (schema ? sample(doc, schema) : undefined);
  return { method, url, body: body === undefined ? undefined : JSON.stringify(body) };
}

describe("authorization matrix", () => {
  let server: TestServer;
  let online: TestServer;
  let doc: Json;
  let seed: Seed;
  const routes: { key: string; method: string; path: string; op: Json }[] = [];
  before(async () => {
    // Every call registers a webhook at a loopback address: allowed, and more than the default cap.
    const webhooks = { webhookAllowPrivate: true, webhookLimit: 10_000 };
    [server, online] = await Promise.all([
      startTestServer(webhooks),
      startTestServer({ ...webhooks, online: true }),
    ]);
    doc = await (await server.fetch("/openapi.json")).json();
    seed = await hashedSeed();
    for (const [path, operations] of Object.entries<Json>(doc.paths))
      for (const [method, op] of Object.entries<Json>(operations))
        routes.push({
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          op,
        });
  });
  after(() => Promise.all([server?.close(), online?.close()]));

  async function call(route: (typeof routes)[number], who: Who): Promise<number> {
    const target = who === "online" ? online : server;
    await target.services.directory.importSeed(seed);
    const hook = await target.store.createWebhook(
      {
        url: "http://127.0.0.1:9/hook",
        secret: "0123456789abcdef0123",
        topicId: null,
        createdBy: 1,
      },
      Date.now(),
      10_000,
    );
    assert.ok(hook);
    const webhookId = hook.id;
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (who !== "none") {
      const ttl = who === "expired" ? -1000 : 60_000;
      headers.Authorization = `SoTicket ${await target.services.auth.issue("ticket", USER_OF[who], ttl)}`;
    }
    const { method, url, body } = build(doc, route.method, route.path, route.op, webhookId);
    const controller = new AbortController();
    const response = await target.fetch(url, { method, headers, body, signal: controller.signal });
    // A change stream never ends by itself: its status is all that is needed.
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) controller.abort();
    else await response.arrayBuffer();
    return response.status;
  }

  it("has a row for every route, and every row is a route", () => {
    const keys = new Set(routes.map((r) => r.key));
    const missing = [...keys].filter((k) => !(k in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !keys.has(k));
    if (process.env.MATRIX_PRINT) return;
    assert.deepEqual(missing, [], "routes without a row in MATRIX");
    assert.deepEqual(stale, [], "rows for routes that no longer exist");
  });

  it("answers every route × caller with the status in the table", async () => {
    const observed: Record<string, string> = {};
    const wrong: string[] = [];
    for (const route of routes) {
      const statuses: number[] = [];
      for (const who of WHO) statuses.push(await call(route, who));
      observed[route.key] = statuses.join(" ");
      const expected = MATRIX[route.key];
      if (expected && expected !== observed[route.key])
        wrong.push(`${route.key}: expected ${expected}, got ${observed[route.key]}`);
    }
    console.log(
      `authorization matrix: ${routes.length} routes × ${WHO.length} callers = ${routes.length * WHO.length} calls`,
    );
    if (process.env.MATRIX_PRINT) {
      for (const [key, value] of Object.entries(observed)) console.log(`  "${key}": "${value}",`);
      return;
    }
    assert.deepEqual(wrong, []);
  });

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
