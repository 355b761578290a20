/**
 * POST /api/v1/Auth/Login answers only this server's own pages (login CSRF): Origin, else
 * Referer, must name the server's origin; a form post with neither is refused, a JSON post
 * with neither (a script, not a browser) is accepted. In online mode it also needs a
 * registered SO-AppToken. Refusals come before any password is checked.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

type Body = "json" | "form";

function login(
  server: TestServer,
  body: Body,
  headers: Record<string, string> = {},
  password = PASSWORD,
) {
  const types = { json: "application/json", form: "application/x-www-form-urlencoded" };
  const payload =
    body === "json"
      ? JSON.stringify({ Username: "kuhn", Password: password })
      : `Username=kuhn&Password=${encodeURIComponent(password)}`;
  return server.fetch("/api/v1/Auth/Login", {
    method: "POST",
    headers: { "Content-Type": types[body], ...headers },
    body: payload,
  });
}

async function answer(response: Response): Promise<[number, string | undefined]> {
  const text = await response.text();
  const code = response.ok ? undefined : (JSON.parse(text) as { ErrorCode?: string }).ErrorCode;
  return [response.status, code];
}

describe("sign-in only from the server's own pages", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("accepts the same origin by Origin or by Referer, as JSON or as a form", async () => {
    for (const body of ["json", "form"] as const) {
      assert.deepEqual(await answer(await login(server, body, { Origin: server.url })), [
        200,
        undefined,
      ]);
      assert.deepEqual(
        await answer(await login(server, body, { Referer: `${server.url}/index.html?x=1` })),
        [200, undefined],
      );
    }
  });

  it("refuses a foreign Origin (403) before checking the password, whatever the body", async () => {
    const before = server.services.auth.passwordChecks;
    const port = new URL(server.url).port;
    const foreign = [
      "https://evil.example",
      "null",
      `http://localhost:${port}`,
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${Number(port) + 1}`,
      "not a url",
    ];
    for (const origin of foreign)
      for (const body of ["json", "form"] as const)
        assert.deepEqual(
          await answer(await login(server, body, { Origin: origin })),
          [403, "PRES_ERR_CROSS_ORIGIN"],
          `${origin} ${body}`,
        );
    // Origin wins over a matching Referer.
    assert.deepEqual(
      await answer(
        await login(server, "form", { Origin: "https://evil.example", Referer: `${server.url}/` }),
      ),
      [403, "PRES_ERR_CROSS_ORIGIN"],
    );
    assert.equal(server.services.auth.passwordChecks, before, "no password was checked");
  });

  it("refuses a foreign Referer when there is no Origin", async () => {
    for (const referer of ["https://evil.example/login", "about:blank", "%%"])
      assert.deepEqual(
        await answer(await login(server, "form", { Referer: referer })),
        [403, "PRES_ERR_CROSS_ORIGIN"],
        referer,
      );
  });

  it("refuses a form post with neither Origin nor Referer; accepts JSON from a script", async () => {
    assert.deepEqual(await answer(await login(server, "form")), [403, "PRES_ERR_CROSS_ORIGIN"]);
    assert.deepEqual(await answer(await login(server, "json")), [200, undefined]);
  });

  it("refuses an Origin of null even from a request without a Host (HTTP/1.0)", async () => {
    const body = JSON.stringify({ Username: "kuhn", Password: PASSWORD });
    const { port } = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () =>
        socket.write(
          `POST /api/v1/Auth/Login HTTP/1.0\r\nOrigin: null\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.[01] 403/);
    assert.match(reply, /PRES_ERR_CROSS_ORIGIN/);
  });

  it("answers in the caller's language", async () => {
    const response = await login(server, "form", {
      Origin: "https://evil.example",
      "SO-Language": "nb",
    });
    const body = (await response.json()) as { ErrorMessage?: string; Message?: string };
    assert.match(
      JSON.stringify(body),
      /Pålogging godtas bare .* må oppgi http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.doesNotMatch(JSON.stringify(body), /accepted|must/);
  });
});

describe("sign-in in online mode", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ online: true });
  });
  after(() => server.close());

  it("needs a registered SO-AppToken, checked before the password", async () => {
    const before = server.services.auth.passwordChecks;
    const same = { Origin: server.url };
    assert.deepEqual(await answer(await login(server, "json", same)), [401, "PRES_ERR_APP_TOKEN"]);
    assert.deepEqual(
      await answer(await login(server, "json", { ...same, "SO-AppToken": "not-registered" })),
      [401, "PRES_ERR_APP_TOKEN"],
    );
    assert.equal(server.services.auth.passwordChecks, before, "no password was checked");
    assert.deepEqual(
      await answer(await login(server, "json", { ...same, "SO-AppToken": "app-123" })),
      [200, undefined],
    );
    // The same origin rule holds in online mode too.
    assert.deepEqual(
      await answer(
        await login(server, "form", { Origin: "https://evil.example", "SO-AppToken": "app-123" }),
      ),
      [403, "PRES_ERR_CROSS_ORIGIN"],
    );
  });
});
