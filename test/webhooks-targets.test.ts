/**
 * Where webhooks may point (against SSRF), and how many there may be. By default a webhook
 * whose URL names a private, loopback or link-local address is refused at registration, and a
 * host name is checked on every delivery against the address it resolves to (`localhost`
 * resolves to a loopback address): the attempt is refused before connecting and recorded as a
 * failure. --webhook-allow-private and --webhook-allow CIDR let such receivers in.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { basic, startTestServer, type TestServer } from "./support/server.ts";

const ADMIN = { Authorization: basic("tje0", "Tje0"), "Content-Type": "application/json" };
const SECRET = "targets-test-secret-0001";
const FAST = { pollIntervalMs: 20, retryBaseMs: 50, retryMaxMs: 100, timeoutMs: 1000 };
const BODY_MARKER = "receiver-body-that-must-never-be-stored";

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("webhook targets and limits", () => {
  const received: string[] = [];
  const receiver = createServer((request, response) => {
    received.push(request.url ?? "");
    request.resume();
    request.on("end", () => {
      const status = request.url === "/fails" ? 500 : 200;
      response.writeHead(status, { "content-type": "text/plain" });
      // 128 KiB at once, then nothing, never ending: read only far enough to know it came.
      if (request.url === "/long") response.write("x".repeat(128 * 1024));
      else response.end(BODY_MARKER);
    });
  });
  let port = 0;
  const servers: TestServer[] = [];
  const start = async (options: Parameters<typeof startTestServer>[0] = {}) => {
    const server = await startTestServer({ webhooks: FAST, ...options });
    servers.push(server);
    return server;
  };

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const register = (server: TestServer, url: string) =>
    server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ Url: url, Secret: SECRET }),
    });

  const save = async (server: TestServer, present: boolean) => {
    const response = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify([{ UserId: 589, Present: present }]),
    });
    assert.equal(response.status, 204);
  };

  const webhook = async (server: TestServer, id: number) =>
    (await server.fetch(`/api/v1/Webhooks/${id}`, { headers: ADMIN })).json();

  const log = async (server: TestServer, id: number) =>
    (await server.fetch(`/api/v1/Webhooks/${id}/Deliveries`, { headers: ADMIN })).json();

  it("refuses literal private, loopback and link-local addresses at registration by default", async () => {
    const server = await start();
    const refused = [
      [`http://127.0.0.1:${port}/`, "a loopback address"],
      ["http://127.1.2.3/", "a loopback address"],
      ["http://2130706433/", "a loopback address"], // 127.0.0.1 written as one number
      ["http://0x7f.0.0.1/", "a loopback address"],
      ["http://[::1]/", "a loopback address"],
      ["http://[::ffff:127.0.0.1]/", "a loopback address"],
      ["http://0.0.0.0/", "a 'this network' address"],
      ["http://[::]/", "the unspecified address"],
      ["http://10.1.2.3/", "a private address"],
      ["http://172.16.0.1/", "a private address"],
      ["https://192.168.1.1/", "a private address"],
      ["http://100.64.0.1/", "a shared (CGNAT) address"],
      ["http://169.254.169.254/latest/meta-data/", "a link-local address"],
      ["http://[fe80::1]/", "a link-local address"],
      ["http://[fd00::1]/", "a unique local (private) address"],
      ["http://224.0.0.1/", "a multicast address"],
    ];
    for (const [url, kind] of refused) {
      const response = await register(server, url);
      assert.equal(response.status, 400, url);
      const error = await response.json();
      assert.equal(error.ErrorCode, "PRES_ERR_BAD_WEBHOOK", url);
      assert.ok(error.Message.includes(kind), `${url}: ${error.Message}`);
      assert.ok(error.Message.includes("--webhook-allow-private"), error.Message);
    }
    const list = await (await server.fetch("/api/v1/Webhooks", { headers: ADMIN })).json();
    assert.deepEqual(list, [], "nothing was registered");
    const publicOne = await register(server, "https://203.0.114.10/hook");
    assert.equal(publicOne.status, 201, "a public address is fine");
  });

  it("refuses at connect time a host name that resolves to loopback (localhost), as a failure", async () => {
    const server = await start();
    const response = await register(server, `http://localhost:${port}/named`);
    assert.equal(response.status, 201, "a name is checked when it is used");
    const { WebhookId } = await response.json();
    await save(server, true);
    const [entry] = await until("the refused attempt in the log", async () => {
      const entries = await log(server, WebhookId);
      return entries[0]?.LastError ? entries : undefined;
    });
    assert.match(
      entry.LastError,
      /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    assert.equal(entry.LastStatusCode, null);
    assert.ok(entry.Status === "pending" || entry.Status === "failed");
    const state = await webhook(server, WebhookId);
    assert.equal(state.LastError, entry.LastError);
    assert.ok(state.FailingSince && state.NextAttemptAt);
    assert.ok(!received.includes("/named"), "nothing reached the receiver");
  });

  it("allows them with --webhook-allow-private, and by range with --webhook-allow", async () => {
    const open = await start({ webhookAllowPrivate: true });
    const literal = await register(open, `http://127.0.0.1:${port}/literal`);
    assert.equal(literal.status, 201);
    const ranged = await start({ webhookAllow: ["127.0.0.0/8", "::1"] });
    const named = await register(ranged, `http://localhost:${port}/ranged`);
    assert.equal(named.status, 201);
    const other = await register(ranged, "http://10.0.0.1/");
    assert.equal(other.status, 400, "only the allowed range");
    await save(open, true);
    await save(ranged, true);
    await until("both deliveries", async () =>
      received.includes("/literal") && received.includes("/ranged") ? true : undefined,
    );
    const { WebhookId } = await named.json();
    const [entry] = await until("the delivered entry", async () => {
      const entries = await log(ranged, WebhookId);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(entry.LastStatusCode, 200);
  });

  it("keeps status and timing in the log, never the receiver's answer", async () => {
    const server = await start({ webhookAllowPrivate: true });
    const response = await register(server, `http://127.0.0.1:${port}/fails`);
    const { WebhookId } = await response.json();
    await save(server, true);
    await until("a failed attempt", async () => {
      const entries = await log(server, WebhookId);
      return entries[0]?.LastStatusCode === 500 ? entries : undefined;
    });
    const everything = JSON.stringify([
      await log(server, WebhookId),
      await webhook(server, WebhookId),
    ]);
    assert.ok(everything.includes("the receiver answered 500"));
    assert.ok(!everything.includes(BODY_MARKER), "the receiver's body is not kept");
  });

  it("takes a long 2xx answer as delivered without waiting for its end", async () => {
    const server = await start({ webhookAllowPrivate: true });
    const response = await register(server, `http://127.0.0.1:${port}/long`);
    const { WebhookId } = await response.json();
    await save(server, true);
    const [entry] = await until("the delivered entry", async () => {
      const entries = await log(server, WebhookId);
      return entries[0]?.Status === "delivered" ? entries : undefined;
    });
    assert.equal(entry.LastStatusCode, 200);
  });

  it("caps the number of webhooks (--webhook-limit) with a clear 409", async () => {
    const server = await start({ webhookAllowPrivate: true, webhookLimit: 3 });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await register(server, `http://127.0.0.1:${port}/cap${i}`);
      assert.equal(response.status, 201);
      ids.push((await response.json()).WebhookId);
    }
    const over = await register(server, `http://127.0.0.1:${port}/cap3`);
    assert.equal(over.status, 409);
    const error = await over.json();
    assert.equal(error.ErrorCode, "PRES_ERR_WEBHOOK_LIMIT");
    assert.match(error.Message, /already 3 webhooks/);
    const norwegian = await server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, "Accept-Language": "nb" },
      body: JSON.stringify({ Url: `http://127.0.0.1:${port}/cap3`, Secret: SECRET }),
    });
    assert.match((await norwegian.json()).Message, /^Det finnes allerede 3 webhooker/);
    const deleted = await server.fetch(`/api/v1/Webhooks/${ids[0]}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    assert.equal(deleted.status, 204);
    assert.equal((await register(server, `http://127.0.0.1:${port}/cap3`)).status, 201);
  });
});
