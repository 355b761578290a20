/**
 * Webhooks over real HTTP both ways: a node:http receiver on 127.0.0.1 that records what the
 * delivery worker POSTs, a server with short delivery timings, and the admin calls tests make.
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
import { after, before } from "node:test";
import { basic, PASSWORD, startTestServer, type TestServer } from "./server.ts";

export const ADMIN = { Authorization: basic("tje0", "Tje0") };
export const KUHN = { Authorization: basic("kuhn", PASSWORD) };
export const JSON_TYPE = { "Content-Type": "application/json" };
export const SECRET = "a-long-enough-webhook-secret";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Short timings, so retries and timeouts happen within a test. */
export const TIMEOUT_MS = 1000;
export const MAX_ATTEMPTS = 4;

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (response: ServerResponse, nth: number) => void;

/** Records every request; answers by path (200 unless told otherwise). */
export class Receiver {
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

export async function until<T>(
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

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function verify(received: Received, secret = SECRET): void {
  const expected = `sha256=${createHmac("sha256", secret).update(received.body).digest("hex")}`;
  const sent = String(received.headers["x-chatpresence-signature"]);
  assert.equal(sent.length, expected.length);
  assert.ok(timingSafeEqual(Buffer.from(sent), Buffer.from(expected)), "valid HMAC signature");
}

/** A server that delivers to private addresses, polls often and retries within a test. */
export function startWebhookServer(options: { db?: string } = {}): Promise<TestServer> {
  return startTestServer({
    ...options,
    webhookAllowPrivate: true,
    webhooks: {
      pollIntervalMs: 20,
      retryBaseMs: 50,
      retryMaxMs: 100,
      timeoutMs: TIMEOUT_MS,
      maxAttempts: MAX_ATTEMPTS,
    },
  });
}

/** The admin calls webhook tests make, on the server `serverOf` gives once it has started. */
export function webhookClient(serverOf: () => TestServer, receiver: Receiver) {
  async function register(
    body: Record<string, unknown>,
    headers: Record<string, string> = ADMIN,
  ): Promise<Response> {
    return serverOf().fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...headers, ...JSON_TYPE },
      body: JSON.stringify(body),
    });
  }

  async function hook(path: string, topicId?: number, eventTypes?: string[]): Promise<number> {
    const response = await register({
      Url: receiver.url + path,
      Secret: SECRET,
      TopicId: topicId,
      EventTypes: eventTypes,
    });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()).WebhookId;
  }

  async function unhook(id: number): Promise<void> {
    const response = await serverOf().fetch(`/api/v1/Webhooks/${id}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    assert.equal(response.status, 204);
  }

  async function save(entries: { UserId: number; Present: boolean }[], headers = ADMIN) {
    const response = await serverOf().fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: { ...headers, ...JSON_TYPE },
      body: JSON.stringify(entries),
    });
    assert.equal(response.status, 204, await response.text());
  }

  async function deliveries(id: number) {
    const response = await serverOf().fetch(`/api/v1/Webhooks/${id}/Deliveries`, {
      headers: ADMIN,
    });
    assert.equal(response.status, 200);
    return response.json();
  }
  return { register, hook, unhook, save, deliveries };
}

/**
 * A webhook server and a receiver for the tests of one describe block: started before them,
 * closed after them, with the client's calls bound to both.
 */
export function webhookSuite() {
  const receiver = new Receiver();
  let server: TestServer | undefined;
  const serverOf = () => {
    assert.ok(server, "the webhook server starts before the tests");
    return server;
  };
  before(async () => {
    await receiver.listen();
    server = await startWebhookServer();
  });
  after(async () => {
    await server?.close();
    await receiver.close();
  });
  return {
    receiver,
    get server() {
      return serverOf();
    },
    ...webhookClient(serverOf, receiver),
  };
}
