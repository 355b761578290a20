/**
 * Site paths (`--base-path`): every route, SOAP endpoint, WSDL address, /openapi.json and the
 * dashboard under the path, the probes at the root too, and SuperOffice's own client and a
 * WSDL-built SOAP client configured with the site URL, unchanged.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { ChatAgent } from "@superoffice/webapi/ChatAgent.js";
import type { WebApi as WebApiClass } from "@superoffice/webapi/WebApi.js";
import soap from "soap";
import { basePath as basePathOption } from "../src/cli/options.ts";
import { normalizeBasePath } from "../src/http/route.ts";
import { ADMIN } from "./support/rest.ts";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { NS88 } from "./support/soap.ts";

const require = createRequire(import.meta.url);
const { WebApi } = require("@superoffice/webapi") as { WebApi: typeof WebApiClass };

const get = (server: TestServer, path: string, headers: Record<string, string> = {}) =>
  server.fetch(path, { headers: { Authorization: ADMIN, ...headers }, redirect: "manual" });

describe("normalizeBasePath and --base-path", () => {
  it("takes a site path in any spelling of its slashes", () => {
    for (const [given, wanted] of [
      ["/", ""],
      ["", ""],
      ["/SuperOffice", "/SuperOffice"],
      ["SuperOffice/", "/SuperOffice"],
      ["//Cust12345//chat/", "/Cust12345/chat"],
      ["/a.b-c_d~e", "/a.b-c_d~e"],
    ])
      assert.equal(normalizeBasePath(given), wanted, given);
  });

  it("refuses what is not a plain path", () => {
    for (const bad of ["/a b", "/../etc", "/./x", "/a?b=1", "/a#b", "/%2e%2e", "/Søk", "/a;b"])
      assert.throws(() => basePathOption(bad), /not a path segment/, bad);
  });
});

for (const base of ["/SuperOffice", "/Cust12345/chat"]) {
  describe(`served under ${base}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ basePath: base });
    });
    after(() => server.close());

    it("serves the REST and Agents routes under the base path only", async () => {
      const list = await get(server, `${base}/api/v1/Presence/GetAll`);
      assert.equal(list.status, 200);
      assert.equal(((await list.json()) as unknown[]).length, 4);
      const agents = await server.fetch(`${base}/api/v1/Agents/Chat/GetChatPresence`, {
        method: "POST",
        headers: { Authorization: ADMIN },
      });
      assert.equal(agents.status, 200);
      const outside = await get(server, "/api/v1/Presence/GetAll");
      assert.equal(outside.status, 404);
      assert.equal((await outside.json()).ErrorCode, "PRES_ERR_NOT_FOUND");
      const wrongVerb = await get(server, `${base}/api/v1/Agents/Chat/GetChatPresence`);
      assert.equal(wrongVerb.status, 405);
      assert.equal(wrongVerb.headers.get("allow"), "POST");
    });

    it("keeps /healthz, /readyz and /metrics at the root, and under the base path too", async () => {
      for (const probe of ["/healthz", "/readyz", "/metrics"])
        for (const path of [probe, `${base}${probe}`])
          assert.equal((await get(server, path)).status, 200, path);
    });

    it("serves SOAP under the base path, its WSDL addressed there", async () => {
      const wsdl = await (await get(server, `${base}/Remote/Services88/Chat.svc?wsdl`)).text();
      const location = /<soap:address location="([^"]*)"/.exec(wsdl)?.[1];
      assert.equal(location, `${server.url}${base}/Remote/Services88/Chat.svc`);
      const plain = await (await get(server, `${base}/Remote/Services88/Chat.svc`)).text();
      assert.match(plain, new RegExp(`${base}/Remote/Services88/Chat\\.svc\\?wsdl`));
      assert.equal((await get(server, "/Remote/Services88/Chat.svc?wsdl")).status, 404);
    });

    it("a client built from the served WSDL signs in and calls Chat.svc at the site path", async () => {
      const principal = await soap.createClientAsync(
        `${server.url}${base}/Remote/Services88/SoPrincipal.svc?wsdl`,
      );
      const [signedIn] = await principal.AuthenticateUsernamePasswordAsync({
        UserName: "ocon",
        Password: PASSWORD,
      });
      assert.equal(signedIn.AuthenticationSucceeded, true);
      const chat = await soap.createClientAsync(
        `${server.url}${base}/Remote/Services88/Chat.svc?wsdl`,
      );
      chat.addSoapHeader({ Credentials: { Ticket: signedIn.Credentials.Ticket } }, "", "tns", NS88);
      const [list, , header] = await chat.GetChatPresenceAsync({});
      assert.equal(header.Succeeded, "true");
      assert.equal(list.Response.ChatPresence.length, 4);
    });

    it("describes the base path in /openapi.json's servers, and every path resolves there", async () => {
      const response = await get(server, `${base}/openapi.json`);
      assert.equal(response.status, 200);
      const document = await response.json();
      assert.deepEqual(document.servers, [{ url: base }]);
      assert.ok(document.paths["/api/v1/Presence/GetAll"], "paths are relative to the server");
      const resolved = await get(server, `${document.servers[0].url}/api/v1/ChatTopic/128`);
      assert.equal(resolved.status, 200);
      const self = (await resolved.json())._Links.Self;
      assert.equal(self, `${base}/api/v1/ChatTopic/128`, "_Links name the entity under the base");
      assert.equal((await get(server, self)).status, 200);
      assert.equal((await get(server, "/openapi.json")).status, 404);
    });

    it("serves the dashboard at the base path's /, whose page and modules use relative URLs", async () => {
      const redirect = await get(server, base);
      assert.equal(redirect.status, 308);
      assert.equal(redirect.headers.get("location"), `${base}/`);
      const page = await get(server, `${base}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
        if (url.startsWith("data:")) continue;
        assert.doesNotMatch(url, /^\//, `${url} is relative to the page`);
        assert.equal((await get(server, `${base}/${url}`)).status, 200, url);
      }
      for (const module of ["app.js", "session.js", "stream.js", "users.js"]) {
        const source = await (await get(server, `${base}/${module}`)).text();
        assert.doesNotMatch(source, /["'`]\/api\//, `${module} calls the API relative to the page`);
      }
      assert.equal((await get(server, "/")).status, 404, "nothing at the host's root");
    });

    it("SuperOffice's WebApi configured with the site URL works unchanged", async () => {
      const api = new WebApi(`${server.url}${base}`);
      api.authenticateWithPassword("kuhn", PASSWORD);
      const agent: ChatAgent = api.getChatAgent();
      const before = await agent.getChatPresenceAsync();
      assert.equal(before.length, 4);
      await agent.saveChatPresenceAsync([{ userId: 883, present: true } as never]);
      assert.equal(
        (await agent.getChatPresenceAsync()).find((p) => p.userId === 883)?.present,
        true,
      );
      const topics = await agent.chatTopicsForUserAsync();
      assert.deepEqual(
        topics.map((t) => t.chatTopicId),
        [128, 574],
      );
      const session = await agent.createChatSessionForTopicAsync(574);
      assert.equal((await agent.pickUpChatSessionAsync(session.chatSessionId)).status, "UserLast");
      assert.equal(await agent.isWithinOpeningHoursAsync(574), true);
    });
  });
}

describe("at the root (no base path)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("serves everything at / as before, and /openapi.json says so", async () => {
    assert.equal((await get(server, "/api/v1/Presence/GetAll")).status, 200);
    assert.equal((await get(server, "/")).status, 200);
    assert.deepEqual((await (await get(server, "/openapi.json")).json()).servers, [{ url: "/" }]);
  });
});
