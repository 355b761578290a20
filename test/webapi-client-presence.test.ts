/**
 * SuperOffice's own TypeScript client (@superoffice/webapi), unchanged,
 * calling getChatPresenceAsync and saveChatPresenceAsync against a running server.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { ChatAgent } from "@superoffice/webapi/ChatAgent.js";
import type { WebApi as WebApiClass } from "@superoffice/webapi/WebApi.js";
import { presentByUser, setPresent } from "./support/rest.ts";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

// The package's ESM build imports files without extensions, which Node cannot load; its
// CommonJS build is the one Node clients use.
const require = createRequire(import.meta.url);
const { WebApi } = require("@superoffice/webapi") as { WebApi: typeof WebApiClass };

type Auth =
  | { password: [string, string] }
  | { ticket: string }
  | { token: string; appToken?: string }
  | { ticket: string; appToken: string };

/** A ChatAgent configured the documented way: WebApi(baseUrl), authenticate…, getChatAgent(). */
function chatAgent(server: TestServer, auth: Auth): ChatAgent {
  const api = new WebApi(server.url);
  if ("password" in auth) api.authenticateWithPassword(...auth.password);
  if ("ticket" in auth) api.authenticateWithTicket(auth.ticket);
  if ("token" in auth) api.authenticateWithToken(auth.token);
  if ("appToken" in auth && auth.appToken) api.applicationToken(auth.appToken);
  return api.getChatAgent();
}

/** The HTTP status and SuperOffice error body of a rejected client call. */
async function rejection(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: Record<string, unknown> } })
      .response;
    assert.ok(response, `not an HTTP error: ${error}`);
    return { status: response.status, body: response.data };
  }
  assert.fail("the call should have been rejected");
}

describe("@superoffice/webapi ChatAgent against the server", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("getChatPresenceAsync returns every user, converted to the client's camelCase", async () => {
    await setPresent(server, [{ UserId: 883, Present: true }]);
    const agent = chatAgent(server, { password: ["tje0", "Tje0"] });
    const list = await agent.getChatPresenceAsync();
    assert.deepEqual(
      list.map((p) => [p.userId, p.displayName, p.ongoingChats, p.present, p.chatTopics]),
      [
        [1, "User tje0", 0, false, []],
        [589, "User ocon", 0, false, []],
        [883, "User kuhn", 2, true, [128, 574]],
        [900, "User tick", 0, false, []],
      ],
    );
  });

  it("saveChatPresenceAsync(array) saves, with the last duplicate winning", async () => {
    await setPresent(server, [{ UserId: 589, Present: false }]);
    const agent = chatAgent(server, { password: ["tje0", "Tje0"] });
    const result = await agent.saveChatPresenceAsync([
      { userId: 589, present: false, displayName: "ignored" },
      { userId: 589, present: true },
      { userId: 883, present: false },
    ]);
    assert.ok(result === undefined || result === "", `no body: ${JSON.stringify(result)}`);
    const stored = await presentByUser(server);
    assert.deepEqual([stored[589], stored[883]], [true, false]);
  });

  it("saveChatPresenceAsync({ chatPresence }) (the request form) saves too", async () => {
    const agent = chatAgent(server, { password: ["tje0", "Tje0"] });
    await agent.saveChatPresenceAsync({ chatPresence: [{ userId: 900, present: true }] });
    assert.equal((await presentByUser(server))[900], true);
  });

  it("works with a SoTicket (sent as 'SOTicket') and a Bearer token", async () => {
    const ticket = await server.services.auth.issue("ticket", 883);
    const token = await server.services.auth.issue("bearer", 589);
    const byTicket = chatAgent(server, { ticket });
    await byTicket.saveChatPresenceAsync([{ userId: 883, present: true }]);
    const byToken = chatAgent(server, { token });
    await byToken.saveChatPresenceAsync([{ userId: 589, present: false }]);
    const stored = await presentByUser(server);
    assert.deepEqual([stored[883], stored[589]], [true, false]);
    assert.equal((await byToken.getChatPresenceAsync()).length, 4);
  });

  it("rejects an agent saving someone else's presence with 403 and the error body", async () => {
    await setPresent(server, [{ UserId: 589, Present: false }]);
    const agent = chatAgent(server, { password: ["kuhn", PASSWORD] });
    const { status, body } = await rejection(
      agent.saveChatPresenceAsync([
        { userId: 883, present: true },
        { userId: 589, present: true },
      ]),
    );
    assert.equal(status, 403);
    assert.equal(body.ErrorType, "SoAccessDeniedException");
    assert.match(String(body.ErrorMessage), /Entry 1.*589/);
    assert.equal((await presentByUser(server))[589], false);
  });

  it("passes the client's languageCode through to the error language", async () => {
    const agent = chatAgent(server, { password: ["tje0", "Tje0"] });
    const { status, body } = await rejection(
      agent.saveChatPresenceAsync([{ userId: 4242, present: true }], { languageCode: "nb" }),
    );
    assert.equal(status, 400);
    assert.equal(body.ErrorMessage, "Element 0: det finnes ingen chatbruker med UserId 4242");
  });

  it("rejects bad credentials with 401", async () => {
    const agent = chatAgent(server, { password: ["tje0", "wrong"] });
    const { status, body } = await rejection(agent.getChatPresenceAsync());
    assert.equal(status, 401);
    assert.equal(body.ErrorType, "SoAuthenticationException");
  });
});

describe("@superoffice/webapi ChatAgent against an online server", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ online: true });
  });
  after(() => server.close());

  it("works with a ticket and applicationToken(), and is refused without it", async () => {
    const ticket = await server.services.auth.issue("ticket", 883);
    const agent = chatAgent(server, { ticket, appToken: "app-123" });
    await agent.saveChatPresenceAsync([{ userId: 883, present: true }]);
    assert.equal((await agent.getChatPresenceAsync()).find((p) => p.userId === 883)?.present, true);
    const { status } = await rejection(chatAgent(server, { ticket }).getChatPresenceAsync());
    assert.equal(status, 401);
  });

  it("refuses Basic even with an app token", async () => {
    const api = new WebApi(server.url);
    api.authenticateWithPassword("tje0", "Tje0");
    api.applicationToken("app-123");
    const { status } = await rejection(api.getChatAgent().getChatPresenceAsync());
    assert.equal(status, 401);
  });
});
