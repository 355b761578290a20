/**
 * Path and query parameters bound from their declaration (src/http/params.ts): one int32 rule,
 * one error, the differences between routes declared (minimum, expected, notFound), and the
 * declaration's binding fields kept out of /openapi.json.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { registerErrorHandlers } from "../src/http/errors.ts";
import { boundHandler, parseInt32 } from "../src/http/params.ts";
import type { ParameterSpec, RouteSpec } from "../src/http/route.ts";
import { buildOpenApi } from "../src/http/system/openapi.ts";

const INT = { type: "integer", format: "int32" } as const;

function route(url: string, parameters: ParameterSpec[]): RouteSpec {
  return {
    method: "GET",
    url,
    operationId: url,
    summary: "echo",
    tag: "Test",
    auth: false,
    parameters,
    responses: { 200: { description: "OK" } },
    // Echoes every declared parameter as bound, by its type.
    handler: async (request) =>
      Object.fromEntries(
        parameters.map((p) => {
          const read = {
            integer: () => request.bound.optionalInt(p.name) ?? null,
            boolean: () => request.bound.bool(p.name),
          }[p.schema.type as "integer" | "boolean"];
          return [p.name, read ? read() : (request.bound.text(p.name) ?? null)];
        }),
      ),
  };
}

const ROUTES = [
  route("/plain/:id", [{ name: "id", in: "path", description: "any int32", schema: INT }]),
  route("/positive/:id", [
    { name: "id", in: "path", description: "positive", schema: INT, minimum: 1 },
  ]),
  route("/hook/:id", [
    {
      name: "id",
      in: "path",
      description: "names a webhook",
      schema: INT,
      minimum: 1,
      notFound: { code: "PRES_ERR_NO_WEBHOOK", param: "webhookId" },
    },
  ]),
  route("/query", [
    { name: "top", in: "query", description: "optional", schema: INT, minimum: 0 },
    {
      name: "limit",
      in: "query",
      description: "worded",
      schema: INT,
      minimum: 1,
      expected: { en: "1 to 9", nb: "1 til 9" },
    },
    { name: "flat", in: "query", description: "a flag", schema: { type: "boolean" } },
    { name: "name", in: "query", description: "text", schema: { type: "string" } },
  ]),
  route("/plain", [
    { name: "userId", in: "query", description: "exact name", schema: INT, style: "plain" },
  ]),
  route("/required", [
    { name: "entityId", in: "query", description: "needed", schema: INT, required: true },
  ]),
];

describe("parameters bound from their declaration", () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    registerErrorHandlers(app, { online: false, bodyLimit: 1024 });
    for (const spec of ROUTES)
      app.route({ method: spec.method, url: spec.url, handler: boundHandler(spec) });
    await app.ready();
  });
  after(() => app.close());

  async function get(url: string) {
    const response = await app.inject({ method: "GET", url });
    return { status: response.statusCode, body: response.json() };
  }

  it("the one int32 rule: sign and blanks as .NET reads them, the 32-bit range, nothing else", () => {
    assert.equal(parseInt32("42"), 42);
    assert.equal(parseInt32(" -7 "), -7);
    assert.equal(parseInt32("+2147483647"), 2147483647);
    assert.equal(parseInt32("-2147483648"), -2147483648);
    for (const bad of [
      "2147483648",
      "-2147483649",
      "1.5",
      "1e3",
      "0x10",
      "",
      " ",
      "12345678901",
      "abc",
    ])
      assert.equal(parseInt32(bad), null, bad);
    assert.equal(parseInt32("0", { minimum: 1 }), null);
    assert.equal(parseInt32("-1", { minimum: 0 }), null);
  });

  it("the plain style (our extensions) reads digits only, at most maxDigits when declared", () => {
    assert.equal(parseInt32("000000000005", { style: "plain" }), 5);
    assert.equal(parseInt32("000000000005", { style: "plain", maxDigits: 10 }), null);
    for (const bad of ["+5", " 5", "-1", "5 ", "2147483648"])
      assert.equal(parseInt32(bad, { style: "plain" }), null, bad);
  });

  it("binds a path integer, and names it in PRES_ERR_BAD_PATH when it is none", async () => {
    assert.deepEqual(await get("/plain/-12"), { status: 200, body: { id: -12 } });
    const bad = await get("/plain/2147483648");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.ErrorCode, "PRES_ERR_BAD_PATH");
    assert.match(bad.body.ErrorMessage, /id .*expected an integer, got "2147483648"/);
  });

  it("a declared minimum refuses smaller values, and says what is expected", async () => {
    const zero = await get("/positive/0");
    assert.equal(zero.status, 400);
    assert.match(zero.body.ErrorMessage, /expected a positive integer, got "0"/);
    assert.deepEqual(await get("/positive/7"), { status: 200, body: { id: 7 } });
  });

  it("a declared notFound answers a value that names nothing with that 404", async () => {
    for (const raw of ["0", "abc", "-3", "99999999999"]) {
      const missing = await get(`/hook/${raw}`);
      assert.equal(missing.status, 404, raw);
      assert.equal(missing.body.ErrorCode, "PRES_ERR_NO_WEBHOOK", raw);
      assert.match(missing.body.ErrorMessage, new RegExp(`id ${raw}`), raw);
    }
  });

  it("query parameters match case-insensitively; empty is absent; bad ones are PRES_ERR_BAD_QUERY", async () => {
    assert.deepEqual(await get("/query?TOP=3&Flat=TRUE&name=x&limit="), {
      status: 200,
      body: { top: 3, limit: null, flat: true, name: "x" },
    });
    assert.deepEqual(await get("/query"), {
      status: 200,
      body: { top: null, limit: null, flat: false, name: null },
    });
    const negative = await get("/query?top=-1");
    assert.equal(negative.status, 400);
    assert.equal(negative.body.ErrorCode, "PRES_ERR_BAD_QUERY");
    assert.match(negative.body.ErrorMessage, /top .*expected a whole number, got "-1"/);
    const worded = await get("/query?limit=0");
    assert.match(worded.body.ErrorMessage, /limit .*expected 1 to 9, got "0"/);
    const flag = await get("/query?flat=yes");
    assert.equal(flag.status, 400);
    assert.match(flag.body.ErrorMessage, /flat .*expected true or false, got "yes"/);
  });

  it("a plain query parameter is matched by its name as written", async () => {
    assert.deepEqual(await get("/plain?userId=5"), { status: 200, body: { userId: 5 } });
    assert.deepEqual(await get("/plain?USERID=5"), { status: 200, body: { userId: null } });
    const signed = await get("/plain?userId=%2B5");
    assert.equal(signed.status, 400);
    assert.equal(signed.body.ErrorCode, "PRES_ERR_BAD_QUERY");
  });

  it("a required query parameter that is missing is a 400 saying so", async () => {
    const missing = await get("/required");
    assert.equal(missing.status, 400);
    assert.equal(missing.body.ErrorCode, "PRES_ERR_BAD_QUERY");
    assert.match(missing.body.ErrorMessage, /entityId .*it is required/);
    assert.deepEqual(await get("/required?entityid=5"), { status: 200, body: { entityId: 5 } });
  });

  it("/openapi.json documents the parameters without the binding's own fields", () => {
    const document = buildOpenApi(ROUTES, "test") as {
      paths: Record<string, { get: { parameters: Record<string, unknown>[] } }>;
    };
    for (const path of Object.values(document.paths))
      for (const parameter of path.get.parameters)
        assert.deepEqual(Object.keys(parameter).sort(), [
          "description",
          "in",
          "name",
          "required",
          "schema",
        ]);
    assert.deepEqual(document.paths["/hook/{id}"].get.parameters[0].schema, INT);
  });
});
