/**
 * /openapi.json (no sign-in) describes every route the server has, with the
 * contract's operation ids; and GetAll's output conforms to the contract's ChatPresence schema.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { BODY_TYPES, readAll, setPresent } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

// biome-ignore lint/suspicious/noExplicitAny: walking parsed OpenAPI documents of any shape
type Json = Record<string, any>;

const CONTRACT: Json = JSON.parse(
  readFileSync(new URL("./fixtures/contract/openapi-v3-Presence.json", import.meta.url), "utf8"),
);

/** The Agents operations of openapi-v3-ChatAgent.json this server implements. */
const AGENTS_CONTRACT: [string, string, string][] = [
  ["/api/v1/Agents/Chat/GetChatPresence", "post", "v1ChatAgent_GetChatPresence"],
  ["/api/v1/Agents/Chat/SaveChatPresence", "post", "v1ChatAgent_SaveChatPresence"],
];

/** Every URL Fastify serves, rebuilt from its route tree (a nested line extends its parent). */
function servedUrls(app: FastifyInstance): string[] {
  const urls: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[├└]── (\S+)/.exec(line);
    if (!match) continue;
    stack.length = match[1].length / 4;
    stack.push(match[2]);
    urls.push(stack.join(""));
  }
  return urls;
}

/** Checks a value against a contract schema; returns the paths that do not conform. */
function violations(value: unknown, schema: Json, path = "$"): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return violations(value, CONTRACT.components.schemas[name], path);
  }
  // .NET serialises reference types (strings, arrays, objects) as null when they are empty.
  if (value === null) return ["integer", "boolean"].includes(schema.type) ? [path] : [];
  switch (schema.type) {
    case "integer": {
      const ok =
        Number.isInteger(value) &&
        (schema.format !== "int32" || Math.abs(value as number) < 2 ** 31);
      return ok ? [] : [path];
    }
    case "string":
    case "boolean":
      return typeof value === schema.type ? [] : [path];
    case "array":
      return Array.isArray(value)
        ? value.flatMap((item, i) => violations(item, schema.items, `${path}[${i}]`))
        : [path];
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [path];
      const props: Json = schema.properties ?? {};
      return Object.entries(value as Json).flatMap(([key, v]) =>
        key in props
          ? violations(v, props[key], `${path}.${key}`)
          : [`${path}.${key} (undeclared)`],
      );
    }
  }
  return [`${path} (unknown schema type ${schema.type})`];
}

describe("/openapi.json", () => {
  let server: TestServer;
  let doc: Json;
  before(async () => {
    server = await startTestServer();
    const response = await server.fetch("/openapi.json");
    assert.equal(response.status, 200, "served without credentials");
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    doc = await response.json();
  });
  after(() => server.close());

  it("is an OpenAPI 3 document with the sign-in schemes", () => {
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.info.title && doc.info.version);
    for (const scheme of ["Basic", "SoTicket", "Bearer"])
      assert.ok(doc.components.securitySchemes[scheme], scheme);
  });

  it("documents every route the server serves (SOAP excepted: it has WSDL)", () => {
    // Routes may name the parameter at one place differently (the contract's {id} next to
    // {chatTopicId}); the route tree then shows ":id|:chatTopicId". Compare shapes only.
    const shape = (url: string) => url.replace(/\{\w+\}(\|\{\w+\})*/g, "{}");
    const documented = Object.keys(doc.paths).map(shape);
    const served = servedUrls(server.app)
      .filter((url) => !url.startsWith("/Remote/"))
      .map((url) => shape(url.replace(/:(\w+)/g, "{$1}")));
    for (const url of ["/healthz", "/openapi.json", "/api/v1/Presence/GetAll"])
      assert.ok(served.includes(url), `route tree parsed: ${url}`);
    const missing = served.filter((url) => !documented.includes(url));
    assert.deepEqual(missing, [], "served but not in /openapi.json");
    const phantom = documented.filter((url) => !served.includes(url));
    assert.deepEqual(phantom, [], "in /openapi.json but not served");
  });

  it("has the contract's paths, methods and operation ids for the presence routes", () => {
    const expected: [string, string, string][] = [
      ...Object.entries(CONTRACT.paths as Json).flatMap(([url, ops]) =>
        Object.entries(ops as Json).map(([m, op]): [string, string, string] => [
          url,
          m,
          op.operationId,
        ]),
      ),
      ...AGENTS_CONTRACT,
    ];
    assert.equal(expected.length, 4);
    for (const [url, method, operationId] of expected) {
      const operation = doc.paths[url]?.[method];
      assert.ok(operation, `${method.toUpperCase()} ${url}`);
      assert.equal(operation.operationId, operationId);
      assert.ok(operation.security?.length > 0, `${operationId} requires sign-in`);
      assert.equal(operation["x-extension"], undefined, `${operationId} is SuperOffice's own`);
    }
  });

  it("lists every body content type, the XML responses and $select", () => {
    for (const [url, method] of [
      ["/api/v1/Presence/SaveAll", "post"],
      ["/api/v1/Agents/Chat/SaveChatPresence", "post"],
    ]) {
      const content = doc.paths[url][method].requestBody.content;
      assert.deepEqual(Object.keys(content).sort(), [...BODY_TYPES].sort(), url);
    }
    const getAll = doc.paths["/api/v1/Presence/GetAll"].get.responses["200"].content;
    for (const type of ["application/json", "text/json", "application/xml", "text/xml"])
      assert.ok(getAll[type], type);
    for (const [url] of AGENTS_CONTRACT) {
      const names = doc.paths[url].post.parameters.map((p: Json) => `${p.in}:${p.name}`);
      assert.ok(names.includes("query:$select"), url);
    }
  });

  it("describes ChatPresence with the contract's property types", () => {
    const ours = doc.components.schemas.ChatPresence.properties;
    const theirs = CONTRACT.components.schemas["SuperOffice.CRM.Services.ChatPresence"].properties;
    for (const [name, schema] of Object.entries(ours as Json)) {
      assert.equal(schema.type, theirs[name]?.type, name);
      assert.equal(schema.format, theirs[name]?.format, name);
    }
  });

  it("has the contract's message and transcript operations, ChatMessage as the contract types it", () => {
    // From openapi-v3-ChatSession.json and openapi-v3-ChatAgent.json.
    const operations: [string, string, string, string[]][] = [
      [
        "/api/v1/ChatSession/{chatSessionId}/Messages",
        "get",
        "v1ChatSessionEntity_GetChatMessages",
        ["path:chatSessionId", "query:after"],
      ],
      [
        "/api/v1/ChatSession/{chatSessionId}/Messages",
        "post",
        "v1ChatSessionEntity_AddChatMessage",
        ["path:chatSessionId"],
      ],
      [
        "/api/v1/ChatSession/{chatSessionId}/Transcript",
        "post",
        "v1ChatSessionEntity_GetChatTranscript",
        ["path:chatSessionId", "query:html"],
      ],
      [
        "/api/v1/Agents/Chat/AddChatMessage",
        "post",
        "v1ChatAgent_AddChatMessage",
        ["query:$select"],
      ],
      [
        "/api/v1/Agents/Chat/GetChatMessages",
        "post",
        "v1ChatAgent_GetChatMessages",
        ["query:$select"],
      ],
      [
        "/api/v1/Agents/Chat/GetChatTranscript",
        "post",
        "v1ChatAgent_GetChatTranscript",
        ["query:$select"],
      ],
    ];
    for (const [url, method, operationId, parameters] of operations) {
      const operation = doc.paths[url]?.[method];
      assert.ok(operation, `${method.toUpperCase()} ${url}`);
      assert.equal(operation.operationId, operationId);
      assert.equal(operation["x-extension"], undefined, operationId);
      const names = operation.parameters.map((p: Json) => `${p.in}:${p.name}`);
      assert.deepEqual(names, parameters, operationId);
    }
    const agentsBody = (name: string) =>
      doc.components.schemas[`Chat_${name}Request`].properties as Json;
    assert.deepEqual(Object.keys(agentsBody("AddChatMessage")), ["ChatSessionId", "Message"]);
    assert.deepEqual(Object.keys(agentsBody("GetChatMessages")), ["ChatSessionId", "After"]);
    assert.deepEqual(Object.keys(agentsBody("GetChatTranscript")), ["ChatSessionId", "Html"]);
    const transcript =
      doc.paths["/api/v1/ChatSession/{chatSessionId}/Transcript"].post.responses["200"].content;
    assert.equal(transcript["application/json"].schema.type, "string");
    const contract: Record<string, [string, string | undefined]> = {
      ChatMessageId: ["integer", "int32"],
      ChatSessionId: ["integer", "int32"],
      Type: ["string", undefined],
      Message: ["string", undefined],
      Author: ["string", undefined],
      ReadByCustomer: ["integer", "int32"],
      SpecialType: ["string", undefined],
      SpecialParam: ["string", undefined],
      WhenPosted: ["string", "date-time"],
    };
    const ours = doc.components.schemas.ChatMessage.properties as Json;
    assert.deepEqual(Object.keys(ours), Object.keys(contract));
    for (const [name, [type, format]] of Object.entries(contract)) {
      assert.deepEqual([ours[name].type, ours[name].format], [type, format], name);
    }
    assert.deepEqual(ours.Type.enum, ["Invalid", "ToCustomer", "ToUser", "Special"]);
    assert.equal(ours.SpecialType.enum.length, 18);
    const stream = doc.paths["/api/v1/ChatSession/{chatSessionId}/Stream"].get;
    assert.ok(stream["x-extension"], "the session stream is an extension");
    assert.ok(stream.security.length > 0);
  });

  it("GetAll's response conforms to the contract's ChatPresence schema", async () => {
    await setPresent(server, [{ UserId: 883, Present: true }]);
    const list = await readAll(server);
    const schema =
      CONTRACT.paths["/api/v1/Presence/GetAll"].get.responses["200"].content["application/json"]
        .schema;
    assert.deepEqual(violations(list, schema), []);
    assert.ok(list.length > 0);
    const required = ["UserId", "DisplayName", "OngoingChats", "Present", "ChatTopics"];
    for (const item of list) assert.deepEqual(Object.keys(item).sort(), [...required].sort());
    // The check itself can fail: a wrong type and an undeclared field are both reported.
    const broken = [{ ...list[0], UserId: "1", Extra: 1 }];
    assert.deepEqual(violations(broken, schema), ["$[0].UserId", "$[0].Extra (undeclared)"]);
  });
});
