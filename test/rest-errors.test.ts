/** Error bodies and status codes, their language, and no 500 for client mistakes. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, expectError, KUHN, post, ROUTES } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

describe("errors: status codes and SuperOffice's error body", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ bodyLimit: 4096 });
  });
  after(() => server.close());

  it("404s an unknown route, signed in or not", async () => {
    for (const auth of [ADMIN, undefined]) {
      const response = await server.fetch("/api/v1/Presence/Nope", {
        headers: auth ? { Authorization: auth } : {},
      });
      const error = await expectError(response, 404, { type: "NotFoundException" });
      assert.match(error.ErrorMessage, /\/api\/v1\/Presence\/Nope/);
    }
  });

  it("405s a GET on the Agents routes, with Allow: POST", async () => {
    for (const route of [ROUTES.getChat, ROUTES.saveChat]) {
      const response = await server.fetch(route, { headers: { Authorization: ADMIN } });
      assert.equal(response.headers.get("allow"), "POST");
      await expectError(response, 405, { type: "MethodNotAllowedException", message: /GET/ });
    }
  });

  it("405s the wrong verb on the REST routes too", async () => {
    const postGetAll = await post(server, ROUTES.getAll, []);
    assert.equal(postGetAll.headers.get("allow"), "GET");
    await expectError(postGetAll, 405);
    const getSaveAll = await server.fetch(ROUTES.saveAll, { headers: { Authorization: ADMIN } });
    assert.equal(getSaveAll.headers.get("allow"), "POST");
    await expectError(getSaveAll, 405);
  });

  it("413s a body over the configured limit and accepts one under it", async () => {
    const padded = (size: number) => {
      const base = JSON.stringify([{ UserId: 883, Present: true }]);
      return `${base.slice(0, -1)}${" ".repeat(size - base.length)}]`;
    };
    const big = await post(server, ROUTES.saveAll, padded(4097));
    await expectError(big, 413, { type: "RequestTooLargeException", message: /4096/ });
    assert.equal((await post(server, ROUTES.saveAll, padded(4096))).status, 204);
  });

  it("413s a body over 1 MiB by default", async () => {
    const defaults = await startTestServer();
    try {
      const body = `[${" ".repeat(1024 * 1024)}]`;
      await expectError(await post(defaults, ROUTES.saveAll, body), 413, { message: /1048576/ });
      const fits = `[${" ".repeat(1024 * 1024 - 2)}]`;
      assert.equal((await post(defaults, ROUTES.saveAll, fits)).status, 204);
    } finally {
      await defaults.close();
    }
  });

  it("415s an unsupported or missing Content-Type and names it", async () => {
    for (const contentType of ["text/plain", "application/octet-stream", "multipart/form-data"]) {
      const response = await post(server, ROUTES.saveAll, "[]", { contentType });
      const error = await expectError(response, 415, { type: "UnsupportedMediaTypeException" });
      assert.ok(error.ErrorMessage.includes(contentType), error.ErrorMessage);
      assert.match(error.ErrorMessage, /application\/json/, "lists what is supported");
    }
    const unknownCharset = await post(server, ROUTES.saveChat, "{}", {
      contentType: "application/json; charset=klingon",
    });
    await expectError(unknownCharset, 415, { message: /klingon/ });
    const none = await server.fetch(ROUTES.saveAll, {
      method: "POST",
      headers: { Authorization: ADMIN },
      body: new Uint8Array([91, 93]),
    });
    await expectError(none, 415);
  });

  it("400s bodies that cannot be read, saying why", async () => {
    const cases: [string, string, string, RegExp][] = [
      [ROUTES.saveAll, "application/json", "[{", /JSON/],
      [ROUTES.saveAll, "application/json", '{"UserId":883}', /array/],
      [ROUTES.saveAll, "application/json", "", /empty/],
      [ROUTES.saveChat, "application/json", "{}", /ChatPresence/],
      [ROUTES.saveAll, "application/xml", "<ArrayOfChatPresence>", /unclosed|ArrayOfChatPresence/],
      [ROUTES.saveAll, "application/xml", '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', /DOCTYPE/],
      [ROUTES.saveAll, "application/json; charset=utf-8", "\u0000[", /JSON/],
    ];
    for (const [route, contentType, body, why] of cases) {
      const response = await post(server, route, body, { contentType });
      await expectError(response, 400, { type: "ArgumentException", message: why });
    }
  });

  it("never answers a client mistake with a 500", async () => {
    const json = [
      "null",
      "1",
      '"x"',
      "true",
      "{}",
      "[]",
      "[null]",
      "[[1]]",
      "[1]",
      '[{"UserId":{}}]',
      '[{"UserId":[1]}]',
      '[{"UserId":1e400}]',
      '{"ChatPresence":[null]}',
      '{"ChatPresence":"x"}',
      '{"ChatPresence":{"0":null}}',
      '{"username":null}',
      '{"username":["a"],"password":1}',
      '[{"__proto__":{"UserId":883}}]',
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
    ];
    const xml = [
      '<a><b i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></a>',
      '<r><ChatPresence i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></r>',
      "<x>text</x>",
      "<x/>",
      "<a:x xmlns:a='u'><a:UserId>1</a:UserId></a:x>",
      "not xml",
      `${"<a>".repeat(200)}${"</a>".repeat(200)}`,
    ];
    const form = ["a=1", "[0]=1&[0][UserId]=2", "[0][UserId]=x", "[99999999999]=1", "%zz", "=&&="];
    const bodies: [string, string][] = [
      ...json.map((b): [string, string] => ["application/json", b]),
      ...xml.map((b): [string, string] => ["text/xml", b]),
      ...form.map((b): [string, string] => ["application/x-www-form-urlencoded", b]),
    ];
    const routes = [ROUTES.saveAll, ROUTES.saveChat, ROUTES.getChat, "/api/v1/Auth/Login"];
    for (const route of routes)
      for (const auth of [ADMIN, KUHN])
        for (const [contentType, body] of bodies) {
          const response = await post(server, route, body, { contentType, auth });
          const text = await response.text();
          assert.ok(response.status < 500, `${route} ${contentType} ${body}: ${text}`);
        }
  });
});

describe("errors: language from SO-Language / Accept-Language", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const unknownUser = (headers: Record<string, string>) =>
    post(server, ROUTES.saveAll, [{ UserId: 4242, Present: true }], { headers });

  const cases: [Record<string, string>, "en" | "nb"][] = [
    [{}, "en"],
    [{ "Accept-Language": "en" }, "en"],
    [{ "Accept-Language": "nb" }, "nb"],
    [{ "Accept-Language": "nb-NO" }, "nb"],
    [{ "Accept-Language": "no" }, "nb"],
    [{ "Accept-Language": "fr,de,ru,zh" }, "en"],
    [{ "Accept-Language": "sv" }, "en"],
    [{ "Accept-Language": "en;q=0.5, nb;q=0.9" }, "nb"],
    [{ "SO-Language": "nb" }, "nb"],
    [{ "SO-Language": "en", "Accept-Language": "nb" }, "en"],
    [{ "SO-Language": "no", "Accept-Language": "en" }, "nb"],
  ];
  for (const [headers, language] of cases) {
    it(`answers in ${language} for ${JSON.stringify(headers)}`, async () => {
      const error = await expectError(await unknownUser(headers), 400);
      const expected =
        language === "nb"
          ? "Element 0: det finnes ingen chatbruker med UserId 4242"
          : "Entry 0: there is no chat user with UserId 4242";
      assert.equal(error.ErrorMessage, expected);
    });
  }

  it("localises 401, 403 and 404 as well", async () => {
    const headers = { "Accept-Language": "nb" };
    const unauthenticated = await server.fetch(ROUTES.getAll, { headers });
    await expectError(unauthenticated, 401, { message: /^Autentisering kreves/ });
    const forbidden = await post(server, ROUTES.saveAll, [{ UserId: 589, Present: true }], {
      auth: KUHN,
      headers,
    });
    await expectError(forbidden, 403, { message: /^Element 0: du kan ikke endre/ });
    const missing = await server.fetch("/api/v1/Nope", { headers });
    await expectError(missing, 404, { message: /^Ikke funnet/ });
  });
});

describe("a null body", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("is a 400 (never a 500) on every route of /openapi.json that takes a body, as JSON and as nil XML", async () => {
    const spec = await (await server.fetch("/openapi.json")).json();
    const bodies = [
      ["application/json", "null"],
      [
        "application/xml",
        '<Body xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>',
      ],
    ];
    let checked = 0;
    for (const [path, operations] of Object.entries(
      spec.paths as Record<string, Record<string, { requestBody?: unknown }>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.requestBody) continue;
        // Path parameters take ids that exist in the test directory (session 4, topic 128, user kuhn).
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          /user|associate/i.test(name)
            ? "kuhn"
            : /session/i.test(name) || name === "id"
              ? "4"
              : "128",
        );
        for (const [type, body] of bodies) {
          const response = await server.fetch(url, {
            method: method.toUpperCase(),
            headers: { Authorization: ADMIN, "Content-Type": type, "X-XSRF-TOKEN": "none" },
            body,
          });
          const answer = await response.text();
          assert.ok(
            response.status < 500,
            `${method} ${url} ${type}: ${response.status} ${answer}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 40, `checked ${checked} route × body combinations`);
    const session = await server.fetch("/api/v1/ChatSession/4", {
      method: "PUT",
      headers: { Authorization: ADMIN, "Content-Type": "application/json-patch+json" },
      body: "null",
    });
    await expectError(session, 400, { message: /null/ });
  });
});
