/**
 * The webhook admin routes over real HTTP: registering, listing, reading and deleting, bodies
 * in every format, refusals of bad input and of callers who are not administrators, OpenAPI.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN, JSON_TYPE, KUHN, SECRET, webhookSuite } from "./support/webhooks.ts";

describe("webhook routes", () => {
  const suite = webhookSuite();
  const { receiver, register, hook, unhook, deliveries } = suite;

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
        EventTypes: ["presence"],
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
    const list = await (await suite.server.fetch("/api/v1/Webhooks", { headers: ADMIN })).text();
    assert.ok(!list.includes(SECRET), "the list never shows a secret");
    assert.deepEqual(
      JSON.parse(list).find((w: { WebhookId: number }) => w.WebhookId === created.WebhookId),
      created,
    );
    const one = await suite.server.fetch(`/api/v1/Webhooks/${created.WebhookId}`, {
      headers: ADMIN,
    });
    assert.deepEqual(await one.json(), created);
    assert.deepEqual(await deliveries(created.WebhookId), []);

    await unhook(created.WebhookId);
    for (const path of [`${created.WebhookId}`, `${created.WebhookId}/Deliveries`, "abc", "0"]) {
      const missing = await suite.server.fetch(`/api/v1/Webhooks/${path}`, { headers: ADMIN });
      assert.equal(missing.status, 404, path);
      assert.equal((await missing.json()).ErrorCode, "PRES_ERR_NO_WEBHOOK");
    }
    const again = await suite.server.fetch(`/api/v1/Webhooks/${created.WebhookId}`, {
      method: "DELETE",
      headers: ADMIN,
    });
    assert.equal(again.status, 404);
  });

  it("binds XML and form bodies like JSON ones, TopicId optional", async () => {
    const xml = await suite.server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/xml" },
      body: `<WebhookRequest><Url>${receiver.url}/xml</Url><Secret>${SECRET}</Secret><TopicId>128</TopicId></WebhookRequest>`,
    });
    assert.equal(xml.status, 201, await xml.clone().text());
    const fromXml = await xml.json();
    assert.equal(fromXml.TopicId, 128);
    const form = await suite.server.fetch("/api/v1/Webhooks", {
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
    const norwegian = await suite.server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, ...JSON_TYPE, "Accept-Language": "nb" },
      body: JSON.stringify({ Url: "ftp://x/", Secret: SECRET }),
    });
    assert.match((await norwegian.json()).Message, /^Url er ugyldig/);
    const empty = await suite.server.fetch("/api/v1/Webhooks", {
      method: "POST",
      headers: { ...ADMIN, ...JSON_TYPE },
    });
    assert.equal(empty.status, 400);
    const id = await hook("/limits");
    for (const limit of ["x", "0", "-1"]) {
      const response = await suite.server.fetch(
        `/api/v1/Webhooks/${id}/Deliveries?limit=${limit}`,
        {
          headers: ADMIN,
        },
      );
      assert.equal(response.status, 400, limit);
      assert.equal((await response.json()).ErrorCode, "PRES_ERR_BAD_QUERY");
    }
    await unhook(id);
    assert.equal((await suite.server.fetch("/api/v1/Webhooks", { headers: ADMIN })).status, 200);
    const list = await (await suite.server.fetch("/api/v1/Webhooks", { headers: ADMIN })).json();
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
      const anonymous = await suite.server.fetch(path, { method, headers: JSON_TYPE, body });
      assert.equal(anonymous.status, 401, `${method} ${path}`);
      const agent = await suite.server.fetch(path, {
        method,
        headers: { ...KUHN, ...JSON_TYPE },
        body,
      });
      assert.equal(agent.status, 403, `${method} ${path}`);
    }
    assert.equal(
      (await suite.server.fetch(`/api/v1/Webhooks/${id}`, { headers: ADMIN })).status,
      200,
    );
    await unhook(id);
  });

  it("documents the routes in /openapi.json as extensions", async () => {
    const doc = await (await suite.server.fetch("/openapi.json")).json();
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
});
