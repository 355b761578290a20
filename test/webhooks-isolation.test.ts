/**
 * One receiver's trouble stays its own: 40 receivers that accept connections and never answer,
 * and six that trickle bytes forever (three their headers, three their body), beside one
 * healthy receiver. Every change must reach the healthy one within 2 s, every stuck attempt
 * must end at the timeout (the socket closed by the sender, counted as a failure), no receiver
 * may hold more sends than the per-webhook limit, and GET /api/v1/Webhooks/{id} shows the
 * stuck ones failing.
 */
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0"), "Content-Type": "application/json" };
const TIMEOUT_MS = 5000;
const PER_WEBHOOK = 4;
const CHANGES = 20;

/** A TCP server that records each connection's life and does what `behave` says with it. */
class StuckReceiver {
  readonly server: Server;
  readonly lifetimes: number[] = [];
  open = 0;
  mostOpen = 0;
  private readonly sockets = new Set<Socket>();

  constructor(behave: (socket: Socket) => void) {
    this.server = createServer((socket) => {
      const accepted = Date.now();
      this.sockets.add(socket);
      this.mostOpen = Math.max(this.mostOpen, ++this.open);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.open--;
        this.sockets.delete(socket);
        this.lifetimes.push(Date.now() - accepted);
      });
      behave(socket);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/stuck`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes `first`, then one more byte every 100 ms for as long as the socket is open. */
function trickle(first: string) {
  return (socket: Socket) => {
    socket.once("data", () => {
      socket.write(first);
      const timer = setInterval(() => socket.write(first.endsWith("\r\n\r\n") ? "x" : "X"), 100);
      socket.on("close", () => clearInterval(timer));
    });
  };
}

describe("webhook isolation: stuck receivers beside a healthy one", () => {
  let server: TestServer;
  const stuck: StuckReceiver[] = [];
  const stuckIds: number[] = [];
  const arrivals = new Map<number, number>();
  const healthy = createHttpServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      arrivals.set(JSON.parse(body).Version, Date.now());
      response.writeHead(204).end();
    });
  });
  let healthyId = 0;

  before(async () => {
    server = await startTestServer({
      webhookAllowPrivate: true,
      webhooks: { timeoutMs: TIMEOUT_MS, perWebhookConcurrency: PER_WEBHOOK, pollIntervalMs: 100 },
    });
    // Reads (and drops) what is sent, so it sees the sender hang up; never answers.
    for (let i = 0; i < 40; i++) stuck.push(new StuckReceiver((socket) => socket.resume()));
    for (let i = 0; i < 3; i++) stuck.push(new StuckReceiver(trickle("HTTP/1.1 200 OK\r\n")));
    for (let i = 0; i < 3; i++)
      stuck.push(new StuckReceiver(trickle("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")));
    const register = async (url: string) => {
      const response = await server.fetch("/api/v1/Webhooks", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify({ Url: url, Secret: "isolation-test-secret-01" }),
      });
      assert.equal(response.status, 201);
      return (await response.json()).WebhookId as number;
    };
    // The stuck ones are registered first: oldest-first ordering would serve them first.
    for (const receiver of stuck) stuckIds.push(await register(await receiver.listen()));
    await new Promise<void>((resolve) => healthy.listen(0, "127.0.0.1", resolve));
    healthyId = await register(
      `http://127.0.0.1:${(healthy.address() as AddressInfo).port}/healthy`,
    );
  });
  after(async () => {
    await server?.close();
    await Promise.all(stuck.map((receiver) => receiver.close()));
    healthy.closeAllConnections();
    await new Promise((resolve) => healthy.close(resolve));
  });

  it("delivers every change to the healthy receiver within 2 s", async () => {
    const sent: number[] = [];
    const stream: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const response = await server.fetch("/api/v1/Presence/SaveAll", {
        method: "POST",
        headers: ADMIN,
        body: JSON.stringify([{ UserId: 589, Present: i % 2 === 0 }]),
      });
      assert.equal(response.status, 204);
      sent.push(Date.now());
      stream.push(i);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const deadline = Date.now() + 5000;
    while (arrivals.size < CHANGES && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // Changes arrive in any order; the nth lowest Version is the nth save.
    const arrived = [...arrivals].sort(([a], [b]) => a - b).map(([, at]) => at);
    const latencies = stream.map((_, n) => (arrived[n] ?? Number.POSITIVE_INFINITY) - sent[n]);
    const slowest = Math.max(...latencies);
    console.log(
      `healthy receiver: ${arrivals.size}/${CHANGES} changes, slowest ${slowest} ms after the save's 204; ` +
        `stuck receivers held at most ${Math.max(...stuck.map((r) => r.mostOpen))} connections each`,
    );
    assert.equal(arrivals.size, CHANGES, "every change reached the healthy receiver");
    assert.ok(slowest < 2000, `slowest delivery ${slowest} ms`);
    for (const receiver of stuck)
      assert.ok(receiver.mostOpen <= PER_WEBHOOK, `${receiver.mostOpen} open`);
  });

  it("ends every stuck attempt at the timeout and shows the receivers failing", async () => {
    // Wait for the first round of attempts on every stuck receiver to be cut.
    const deadline = Date.now() + TIMEOUT_MS + 5000;
    while (stuck.some((r) => r.lifetimes.length === 0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const lifetimes = stuck.flatMap((r) => r.lifetimes);
    const longest = Math.max(...lifetimes);
    console.log(
      `stuck attempts cut after ${Math.min(...lifetimes)}–${longest} ms (timeout ${TIMEOUT_MS} ms)`,
    );
    const never = stuck.flatMap((r, i) =>
      r.lifetimes.length === 0 ? [`${i} (open ${r.open}, most ${r.mostOpen})`] : [],
    );
    assert.deepEqual(never, [], "every stuck receiver's socket was closed");
    assert.ok(longest < TIMEOUT_MS + 1500, `an attempt lasted ${longest} ms`);
    for (const [i, id] of stuckIds.entries()) {
      const webhook = await (
        await server.fetch(`/api/v1/Webhooks/${id}`, { headers: ADMIN })
      ).json();
      assert.ok(webhook.FailingSince, `webhook ${i} is failing`);
      assert.ok(Date.parse(webhook.NextAttemptAt) > Date.parse(webhook.FailingSince));
      const expected = i < 43 ? "no answer" : "the answer was not complete";
      assert.equal(webhook.LastError, `${expected} within ${TIMEOUT_MS} ms`, `webhook ${i}`);
      assert.ok(webhook.ConsecutiveFailures >= 1);
    }
    const fine = await (
      await server.fetch(`/api/v1/Webhooks/${healthyId}`, { headers: ADMIN })
    ).json();
    assert.equal(fine.FailingSince, null);
    assert.equal(fine.ConsecutiveFailures, 0);
    const log = await (
      await server.fetch(`/api/v1/Webhooks/${stuckIds[0]}/Deliveries`, { headers: ADMIN })
    ).json();
    assert.ok(log.some((d: { LastError: string | null }) => d.LastError?.startsWith("no answer")));
  });
});
