/**
 * Every operation of the published ChatAgent, ChatSession and ChatTopic OpenAPI files is served:
 * its method and path reach a route (not the unknown-route 404, not 405), and /openapi.json
 * documents it under the contract's operationId.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ADMIN } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const CONTRACT_FILES = [
  "openapi-v3-ChatAgent.json",
  "openapi-v3-ChatSession.json",
  "openapi-v3-ChatTopic.json",
];

interface Operation {
  method: string;
  path: string;
  operationId: string;
  queryRequired: string[];
}

interface OpenApiOperation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean }[];
}

function operationsOf(document: {
  paths: Record<string, Record<string, OpenApiOperation>>;
}): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const queryRequired = (operation.parameters ?? [])
        .filter((p) => p.in === "query" && p.required)
        .map((p) => p.name);
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        queryRequired,
      });
    }
  }
  return operations;
}

const contract = CONTRACT_FILES.flatMap((file) =>
  operationsOf(
    JSON.parse(readFileSync(new URL(`./fixtures/contract/${file}`, import.meta.url), "utf8")),
  ),
);

/** A concrete URL: ids and names that do not exist, so no call changes anything. */
function concrete(operation: Operation): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_all, name: string) =>
    /^(toAssociate|username)$/.test(name) ? "nobody" : "99999",
  );
  const query = operation.queryRequired.map((name) => `${name}=99999`).join("&");
  return query ? `${path}?${query}` : path;
}

/** A path with its parameter names blanked: Fastify names a segment once per position. */
const shape = (path: string) => path.replace(/\{\w+\}/g, "{}").toLowerCase();

describe("contract coverage: ChatAgent, ChatSession, ChatTopic", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("reads every operation of the three contract files", () => {
    assert.equal(contract.length, 63, "the three contract files declare 63 operations");
  });

  it("answers every declared method and path", async () => {
    const unanswered: string[] = [];
    for (const operation of contract) {
      const hasBody = operation.method === "POST" || operation.method === "PUT";
      const response = await server.fetch(concrete(operation), {
        method: operation.method,
        headers: {
          Authorization: ADMIN,
          Accept: "application/json",
          ...(hasBody ? { "Content-Type": "application/json" } : {}),
        },
        body: hasBody ? "{}" : undefined,
      });
      const text = await response.text();
      const code = response.status === 404 ? JSON.parse(text).ErrorCode : null;
      if (response.status === 405 || code === "PRES_ERR_NOT_FOUND")
        unanswered.push(`${operation.method} ${operation.path} (${operation.operationId})`);
    }
    assert.deepEqual(unanswered, [], "operations the server does not serve");
  });

  it("documents every operation in /openapi.json under the contract's operationId", async () => {
    const served = operationsOf(await (await server.fetch("/openapi.json")).json());
    const byId = new Map(served.map((o) => [o.operationId, o]));
    const missing: string[] = [];
    for (const operation of contract) {
      const ours = byId.get(operation.operationId);
      if (!ours || ours.method !== operation.method || shape(ours.path) !== shape(operation.path))
        missing.push(`${operation.method} ${operation.path} (${operation.operationId})`);
    }
    assert.deepEqual(missing, []);
  });

  it("the walk itself catches an unknown route", async () => {
    const response = await server.fetch("/api/v1/Agents/Chat/NoSuchOperation", {
      method: "POST",
      headers: { Authorization: ADMIN },
    });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).ErrorCode, "PRES_ERR_NOT_FOUND");
  });
});
