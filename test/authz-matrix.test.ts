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
import { build, type Json } from "./support/openapi-requests.ts";
import { startTestServer, type TestServer, testSeed } from "./support/server.ts";

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
  "PUT /api/v1/Webhooks/{id}/EventTypes": "401 401 401 403 403 200",
  "GET /api/v1/Routing/Stream": "401 401 401 200 200 200",
  "GET /api/v1/ChatTopic/default": "401 401 401 200 200 200",
  "POST /api/v1/ChatTopic": "401 401 401 403 403 200",
  "GET /api/v1/ChatTopic/{id}": "401 401 401 403 200 200",
  "PUT /api/v1/ChatTopic/{id}": "401 401 401 403 403 200",
  "DELETE /api/v1/ChatTopic/{id}": "401 401 401 403 403 204",
  "GET /api/v1/ChatTopic/{id}/Sessions": "401 401 401 403 200 200",
  "GET /api/v1/ChatTopic/{id}/Routing": "401 401 401 403 403 200",
  "PUT /api/v1/ChatTopic/{id}/Routing": "401 401 401 403 403 200",
  "GET /api/v1/Routing/Offers": "401 401 401 200 200 200",
  "POST /api/v1/Routing/Offers/{chatSessionId}/Accept": "401 401 401 409 409 409",
  "POST /api/v1/Routing/Offers/{chatSessionId}/Decline": "401 401 401 409 409 409",
  "GET /api/v1/ChatTopic/{id}/Queue": "401 401 401 403 200 200",
  "GET /api/v1/Availability": "401 401 401 200 200 200",
  "GET /api/v1/Routing/Load": "401 401 401 200 200 200",
  "GET /api/v1/Routing/Events": "401 401 401 200 200 200",
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
  "GET /dom.js": "200 200 200 200 200 200",
  "GET /live.js": "200 200 200 200 200 200",
  "GET /routing-stream.js": "200 200 200 200 200 200",
  "GET /offers.js": "200 200 200 200 200 200",
  "GET /queues.js": "200 200 200 200 200 200",
  "GET /chart-data.js": "200 200 200 200 200 200",
  "GET /chart.js": "200 200 200 200 200 200",
  "GET /routing.css": "200 200 200 200 200 200",
};

type Who = "none" | "expired" | "online" | "other" | "agent" | "admin";
const WHO: Who[] = ["none", "expired", "online", "other", "agent", "admin"];
const USER_OF = { expired: 883, online: 1, other: 589, agent: 883, admin: 1 } as const;

/** The test seed with its passwords hashed once (importing it before every call stays cheap). */
async function hashedSeed(): Promise<Seed> {
  const seed = testSeed();
  for (const user of seed.users) {
    if (user.password) user.passwordHash = await hashPassword(user.password);
    user.password = null;
  }
  return seed;
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
});
