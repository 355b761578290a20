/**
 * Webhooks end to end, over real HTTP both ways: the admin routes on the server, and a small
 * node:http receiver on 127.0.0.1 that the delivery worker POSTs to.
 */
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { openStream } from "./support/sse-client.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0") };
const KUHN = { Authorization: basic("kuhn", PASSWORD) };
const JSON_TYPE = { "Content-Type": "application/json" };
const SECRET = "a-long-enough-webhook-secret";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Short timings, so retries and timeouts happen within a test. */
const TIMEOUT_MS = 1000;
const MAX_ATTEMPTS = 4;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = (response: ServerResponse, nth: number) => void;

/** Records every request; answers by path (200 unless told otherwise). */
class Receiver {
  readonly received: Received[] = [];
  readonly answers = new Map<string, Answer>();
  private readonly server: Server;
  url = "";

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        const path = request.url ?? "/";
        this.received.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        const answer = this.answers.get(path) ?? ((r) => r.writeHead(200).end("ok"));
        answer(response, this.at(path).length);
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function verify(received: Received, secret = SECRET): void {
  const expected = `sha256=${createHmac("sha256", secret).update(received.body).digest("hex")}`;
  const sent = String(received.headers["x-chatpresence-signature"]);
  assert.equal(sent.length, expected.length);
  assert.ok(timingSafeEqual(Buffer.from(sent), Buffer.from(expected)), "valid HMAC signature");
}

describe("webhooks", () => {
  let server: TestServer;
  const receiver = new Receiver();

  before(async () => {
    await receiver.listen();
    server = await startTestServer({
      webhookAllowPrivate: true,
      webhooks: {
        pollIntervalMs: 20,
        retryBaseMs: 50,
        retryMaxMs: 100,
        timeoutMs: TIMEOUT_MS,
        maxAttempts: MAX_ATTEMPTS,
      },
    });
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  async function register(
    body: Record<string, unknown>,
    headers: Record<string, string> = ADMIN,
  ): Promise<Response> {
    return server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...headers, ...JSON_TYPE },
      body: JSON.stringify(body),
    });
  }

  async function hook(path: string, topicId?: number): Promise<number> {
    const response = await register({ Url: receiver.url + path, Secret: SECRET, TopicId: topicId });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()).WebhookId;
  }

  async function unhook(id: number): Promise<void> {
    const response = await server.fetch(`/api/v1/Webhooks/${id}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    assert.equal(response.status, 204);
  }

  async function save(entries: { UserId: number; Present: boolean }[], headers = ADMIN) {
    const response = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: { ...headers, ...JSON_TYPE },
      body: JSON.stringify(entries),
    });
    assert.equal(response.status, 204, await response.text());
  }

  async function deliveries(id: number) {
    const response = await server.fetch(`/api/v1/Webhooks/${id}/Deliveries`, { headers: ADMIN });
    assert.equal(response.status, 200);
    return response.json();
  }

  it("registers, lists, reads and deletes webhooks without ever showing the secret", async () => {
    const response = await register({ Url: `${receiver.url}/crud`, Secret: SECRET, TopicId: 574 });
    assert.equal(response.status, 201);
    const created = await response.json();
    assert.equal(response.headers.get("location"), `/api/v1/Webhooks/${created.WebhookId}`);
    assert.deepEqual(
      { ...created, WebhookId: 0, CreatedAt: "" },
      {
        WebhookId: 0,
        Url: `${receiver.url}/crud`,
        TopicId: 574,
        HasSecret: true,
        Events: ["presence.changed"],
        CreatedAt: "",
        CreatedBy: 1,
        FailingSince: null,
        NextAttemptAt: null,
        LastError: null,
        ConsecutiveFailures: 0,
      },
    );
    assert.ok(!Number.isNaN(Date.parse(created.CreatedAt)));
    const list = await (await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).text();
    assert.ok(!list.includes(SECRET), "the list never shows a secret");
    assert.deepEqual(
      JSON.parse(list).find((w: { WebhookId: number }) => w.WebhookId === created.WebhookId),
      created,
    );
    const one = await server.fetch(`/api/v1/Webhooks/${created.WebhookId}`, { headers: ADMIN });
    assert.deepEqual(await one.json(), created);
    assert.deepEqual(await deliveries(created.WebhookId), []);

    await unhook(created.WebhookId);
    for (const path of [`${created.WebhookId}`, `${created.WebhookId}/Deliveries`, "abc", "0"]) {
      const missing = await server.fetch(`/api/v1/Webhooks/${path}`, { headers: ADMIN });
      assert.equal(missing.status, 404, path);
      assert.equal((await missing.json()).ErrorCode, "PRES_ERR_NO_WEBHOOK");
    }
    const again = await server.fetch(`/api/v1/Webhooks/${created.WebhookId}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    assert.equal(again.status, 404);
  });

  it("binds XML and form bodies like JSON ones, TopicId optional", async () => {
    const xml = await server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/xml" },
      body: `<WebhookRequest><Url>${receiver.url}/xml</Url><Secret>${SECRET}</Secret><TopicId>128</TopicId></WebhookRequest>`,
    });
    assert.equal(xml.status, 201, await xml.clone().text());
    const fromXml = await xml.json();
    assert.equal(fromXml.TopicId, 128);
    const form = await server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ Url: `${receiver.url}/form`, Secret: SECRET }).toString(),
    });
    assert.equal(form.status, 201, await form.clone().text());
    const fromForm = await form.json();
    assert.equal(fromForm.TopicId, null);
    await unhook(fromXml.WebhookId);
    await unhook(fromForm.WebhookId);
  });

  it("refuses bad input with a clear 400", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ Secret: SECRET }, "PRES_ERR_BAD_WEBHOOK", "Url"],
      [{ Url: "not a url", Secret: SECRET }, "PRES_ERR_BAD_WEBHOOK", "Url"],
      [{ Url: "ftp://127.0.0.1/x", Secret: SECRET }, "PRES_ERR_BAD_WEBHOOK", "http"],
      [{ Url: "file:///etc/passwd", Secret: SECRET }, "PRES_ERR_BAD_WEBHOOK", "http"],
      [{ Url: "http://user:pw@127.0.0.1/", Secret: SECRET }, "PRES_ERR_BAD_WEBHOOK", "Url"],
      [{ Url: `${receiver.url}/x` }, "PRES_ERR_BAD_WEBHOOK", "Secret"],
      [{ Url: `${receiver.url}/x`, Secret: "too-short" }, "PRES_ERR_BAD_WEBHOOK", "16"],
      [
        { Url: `${receiver.url}/x`, Secret: SECRET, TopicId: -1 },
        "PRES_ERR_BAD_WEBHOOK",
        "TopicId",
      ],
      [
        { Url: `${receiver.url}/x`, Secret: SECRET, TopicId: "abc" },
        "PRES_ERR_BAD_BODY",
        "TopicId",
      ],
      [{ Url: 42, Secret: SECRET }, "PRES_ERR_BAD_BODY", "Url"],
    ];
    for (const [body, code, mentions] of cases) {
      const response = await register(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = await response.json();
      assert.equal(error.ErrorCode, code, JSON.stringify(body));
      assert.ok(error.Message.includes(mentions), `${error.Message} mentions ${mentions}`);
    }
    const norwegian = await server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, ...JSON_TYPE, "Accept-Language": "nb" },
      body: JSON.stringify({ Url: "ftp://x/", Secret: SECRET }),
    });
    assert.match((await norwegian.json()).Message, /^Url er ugyldig/);
    const empty = await server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, ...JSON_TYPE },
    });
    assert.equal(empty.status, 400);
    const id = await hook("/limits");
    for (const limit of ["x", "0", "-1"]) {
      const response = await server.fetch(`/api/v1/Webhooks/${id}/Deliveries?limit=${limit}`, {
        headers: ADMIN,
      });
      assert.equal(response.status, 400, limit);
      assert.equal((await response.json()).ErrorCode, "PRES_ERR_BAD_QUERY");
    }
    await unhook(id);
    assert.equal((await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).status, 200);
    const list = await (await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).json();
    assert.ok(
      list.every((w: { Url: string }) => !w.Url.endsWith("/x")),
      "nothing invalid was registered",
    );
  });

  it("is for administrators only: 401 without sign-in, 403 for agents", async () => {
    const id = await hook("/rights");
    const routes: [string, string][] = [
      ["POST", "/api/v1/Webhooks"],
      ["GET", "/api/v1/Webhooks"],
      ["GET", `/api/v1/Webhooks/${id}`],
      ["DELETE", `/api/v1/Webhooks/${id}`],
      ["GET", `/api/v1/Webhooks/${id}/Deliveries`],
    ];
    for (const [method, path] of routes) {
      const body =
        method === "POST"
          ? JSON.stringify({ Url: `${receiver.url}/r`, Secret: SECRET })
          : undefined;
      const anonymous = await server.fetch(path, { method, headers: JSON_TYPE, body });
      assert.equal(anonymous.status, 401, `${method} ${path}`);
      const agent = await server.fetch(path, { method, headers: { ...KUHN, ...JSON_TYPE }, body });
      assert.equal(agent.status, 403, `${method} ${path}`);
    }
    assert.equal((await server.fetch(`/api/v1/Webhooks/${id}`, { headers: ADMIN })).status, 200);
    await unhook(id);
  });

  it("documents the routes in /openapi.json as extensions", async () => {
    const doc = await (await server.fetch("/openapi.json")).json();
    const operations = [
      doc.paths["/api/v1/Webhooks"].post,
      doc.paths["/api/v1/Webhooks"].get,
      doc.paths["/api/v1/Webhooks/{id}"].get,
      doc.paths["/api/v1/Webhooks/{id}"].delete,
      doc.paths["/api/v1/Webhooks/{id}/Deliveries"].get,
    ];
    for (const operation of operations) assert.ok(operation["x-extension"], operation.operationId);
    assert.ok(doc.components.schemas.WebhookRequest.properties.Secret);
    assert.equal(doc.components.schemas.Webhook.properties.Secret, undefined);
  });

  it("POSTs each change, signed, with the SSE change event as body plus DeliveryId", async () => {
    const id = await hook("/signed");
    const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN);
    assert.equal((await stream.next()).event, "snapshot");
    const started = Date.now();
    await save([{ UserId: 883, Present: true }], KUHN);
    const change = await stream.next();
    stream.close();
    const [received] = await until(
      "the delivery",
      () => receiver.at("/signed")[0] && receiver.at("/signed"),
    );
    assert.ok(Date.now() - started < 2000, "delivered promptly");
    verify(received);
    assert.equal(received.headers["content-type"], "application/json");
    assert.equal(received.headers["x-chatpresence-event"], "presence.changed");
    const deliveryId = String(received.headers["x-chatpresence-delivery"]);
    assert.match(deliveryId, UUID);
    const timestamp = Number(received.headers["x-chatpresence-timestamp"]);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 10, "timestamp in epoch seconds");

    const { DeliveryId, ...event } = JSON.parse(received.body);
    assert.equal(DeliveryId, deliveryId);
    assert.deepEqual(event, JSON.parse(change.data), "the same change the stream sent");
    assert.deepEqual(
      Object.keys(event),
      [
        "UserId",
        "Present",
        "OngoingChats",
        "ChatTopics",
        "Previous",
        "Version",
        "At",
        "Source",
        "ChangedBy",
      ],
      "in the documented field order, whichever node fans it out",
    );
    assert.equal(event.UserId, 883);
    assert.equal(event.Present, true);
    assert.equal(event.Source, "api");
    assert.equal(event.ChangedBy, 883);

    const [log] = await until("the log to say delivered", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(log.DeliveryId, deliveryId);
    assert.equal(log.EventVersion, event.Version);
    assert.equal(log.UserId, 883);
    assert.equal(log.Attempts, 1);
    assert.equal(log.LastStatusCode, 200);
    assert.equal(log.LastError, null);
    assert.equal(log.NextAttemptAt, null);
    assert.ok(!Number.isNaN(Date.parse(log.DeliveredAt)));
    await unhook(id);
    await save([{ UserId: 883, Present: false }], KUHN);
  });

  it("with a TopicId sends only changes of users in that topic, before or after", async () => {
    const id = await hook("/sales", 128);
    await save([{ UserId: 589, Present: true }]);
    assert.deepEqual(await deliveries(id), [], "589 is not in topic 128: nothing enqueued");
    await save([{ UserId: 883, Present: true }]);
    const [received] = await until(
      "the topic delivery",
      () => receiver.at("/sales")[0] && receiver.at("/sales"),
    );
    assert.equal(JSON.parse(received.body).UserId, 883);
    verify(received);
    await pause(150);
    assert.equal(receiver.at("/sales").length, 1, "only 883");
    await unhook(id);
    await save([
      { UserId: 589, Present: false },
      { UserId: 883, Present: false },
    ]);
  });

  it("retries with backoff: 500, 500, then 200 makes three attempts, all in the log", async () => {
    receiver.answers.set("/flaky", (response, nth) =>
      response.writeHead(nth <= 2 ? 500 : 200).end(),
    );
    const id = await hook("/flaky");
    await save([{ UserId: 589, Present: true }]);
    const attempts = await until("three attempts", () =>
      receiver.at("/flaky").length >= 3 ? receiver.at("/flaky") : undefined,
    );
    assert.equal(new Set(attempts.map((a) => a.headers["x-chatpresence-delivery"])).size, 1);
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, "the same body each time");
    for (const attempt of attempts) verify(attempt);
    const [log] = await until("the log to say delivered", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(log.Attempts, 3);
    assert.equal(log.LastStatusCode, 200);
    await pause(200);
    assert.equal(receiver.at("/flaky").length, 3, "no attempt after the success");
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });

  it("marks a delivery failed after the last attempt, with the last status and error", async () => {
    receiver.answers.set("/broken", (response) => response.writeHead(503).end());
    const id = await hook("/broken");
    await save([{ UserId: 589, Present: true }]);
    const [log] = await until("the log to say failed", async () => {
      const entries = await deliveries(id);
      return entries[0]?.Status === "failed" ? entries : undefined;
    });
    assert.equal(log.Attempts, MAX_ATTEMPTS);
    assert.equal(log.LastStatusCode, 503);
    assert.equal(log.LastError, "the receiver answered 503");
    assert.equal(log.NextAttemptAt, null);
    assert.equal(log.DeliveredAt, null);
    assert.equal(receiver.at("/broken").length, MAX_ATTEMPTS);
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });

  it("does not follow redirects: a 3xx is recorded and retried, its target never called", async () => {
    receiver.answers.set("/moved", (response) =>
      response.writeHead(302, { location: `${receiver.url}/elsewhere` }).end(),
    );
    const id = await hook("/moved");
    await save([{ UserId: 589, Present: true }]);
    const [log] = await until("the 302 in the log", async () => {
      const entries = await deliveries(id);
      return entries[0]?.LastStatusCode === 302 ? entries : undefined;
    });
    assert.equal(log.Status === "pending" || log.Status === "failed", true);
    await unhook(id);
    assert.equal(receiver.at("/elsewhere").length, 0);
    await save([{ UserId: 589, Present: false }]);
  });

  it("never makes the save wait: 204 at once while the receiver hangs, others still served", async () => {
    const hanging: ServerResponse[] = [];
    receiver.answers.set("/hang", (response) => hanging.push(response));
    const slow = await hook("/hang");
    const fast = await hook("/fast");
    const started = Date.now();
    await save([{ UserId: 589, Present: true }]);
    const saveMs = Date.now() - started;
    // Had it waited for the receiver, the save would take at least the timeout.
    assert.ok(saveMs < TIMEOUT_MS / 2, `the save took ${saveMs} ms`);
    await until("the hanging request", () => hanging.length > 0 || undefined);
    await until("the other webhook's delivery", () => receiver.at("/fast").length > 0 || undefined);
    const second = Date.now();
    await save([{ UserId: 589, Present: false }]);
    assert.ok(Date.now() - second < TIMEOUT_MS / 2, "still quick with a request hanging");
    const [log] = await until("the timeout in the log", async () => {
      const entries = await deliveries(slow);
      return entries.find((e: { LastError: string | null }) => e.LastError) ? entries : undefined;
    });
    assert.ok(log.Attempts >= 1);
    const timedOut = (await deliveries(slow)).find(
      (e: { LastError: string | null }) => e.LastError,
    );
    assert.equal(timedOut.LastError, `no answer within ${TIMEOUT_MS} ms`);
    assert.equal(timedOut.LastStatusCode, null);
    await unhook(slow);
    await unhook(fast);
    for (const response of hanging) response.destroy();
  });

  it("sends nothing more to a deleted webhook", async () => {
    const id = await hook("/deleted");
    await save([{ UserId: 589, Present: true }]);
    await until("the first delivery", () => receiver.at("/deleted").length > 0 || undefined);
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
    await save([{ UserId: 589, Present: true }]);
    await pause(300);
    assert.equal(receiver.at("/deleted").length, 1);
    await save([{ UserId: 589, Present: false }]);
  });

  it("a failure to enqueue is logged and never fails the save", async () => {
    const id = await hook("/unreached");
    const store = server.store;
    const original = store.enqueueChanges;
    const reported: unknown[] = [];
    const log = server.services.webhooks.onError;
    store.enqueueChanges = async () => {
      throw new Error("the outbox is down");
    };
    server.services.webhooks.onError = (error) => reported.push(error);
    try {
      await save([{ UserId: 589, Present: true }]);
    } finally {
      store.enqueueChanges = original;
      server.services.webhooks.onError = log;
    }
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /outbox is down/);
    const all = await (await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN })).json();
    assert.equal(all.find((p: { UserId: number }) => p.UserId === 589).Present, true, "saved");
    await unhook(id);
    await save([{ UserId: 589, Present: false }]);
  });
});
