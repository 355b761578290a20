/**
 * Every SoPrincipal.svc operation, Services86 and Services88, through a client the `soap`
 * package generates from the served WSDL: the sign-ins that apply here succeed and fail as
 * they should, the two that cannot apply answer AuthenticationSucceeded false with
 * ExceptionInfo saying why, and GetSystemInfo answers without a ticket (but, online, not
 * without an application token).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import soap from "soap";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { NS86, NS88 } from "./support/soap.ts";

for (const [version, ns] of [
  ["Services86", NS86],
  ["Services88", NS88],
] as const) {
  describe(`${version} SoPrincipal.svc: every operation through a generated client`, () => {
    let server: TestServer;
    let principal: soap.Client;
    before(async () => {
      server = await startTestServer();
      principal = await soap.createClientAsync(
        `${server.url}/Remote/${version}/SoPrincipal.svc?wsdl`,
      );
    });
    after(() => server.close());

    /** Whether Chat.svc accepts the ticket (GetChatPresence answers Succeeded true). */
    async function ticketWorks(ticket: string): Promise<boolean> {
      const chat = await soap.createClientAsync(`${server.url}/Remote/${version}/Chat.svc?wsdl`);
      chat.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", ns);
      const [, , header] = await chat.GetChatPresenceAsync({});
      return header.Succeeded === "true";
    }

    it("AuthenticateUsernamePassword: a ticket for the right password only", async () => {
      const [good, , header] = await principal.AuthenticateUsernamePasswordAsync({
        UserName: "kuhn",
        Password: PASSWORD,
      });
      assert.equal(header.Succeeded, "true");
      assert.equal(good.AuthenticationSucceeded, true);
      assert.ok(await ticketWorks(good.Credentials.Ticket));
      const [bad] = await principal.AuthenticateUsernamePasswordAsync({
        UserName: "kuhn",
        Password: "wrong",
      });
      assert.equal(bad.AuthenticationSucceeded, false);
    });

    it("AuthenticateWithAccessToken exchanges a bearer token for a ticket; nothing else does", async () => {
      const bearer = await server.services.auth.issue("bearer", 589);
      const [result, , header] = await principal.AuthenticateWithAccessTokenAsync({
        AccessToken: bearer,
      });
      assert.equal(header.Succeeded, "true");
      assert.equal(result.AuthenticationSucceeded, true);
      assert.equal(result.Response.AssociateId, 589);
      assert.equal(result.Response.Associate, "ocon");
      assert.match(result.Credentials.Ticket, /^7T:/);
      assert.ok(await ticketWorks(result.Credentials.Ticket));

      const ticket = await server.services.auth.issue("ticket", 589);
      for (const token of ["8A:not-a-token", ticket, ""]) {
        const [refused, , refusedHeader] = await principal.AuthenticateWithAccessTokenAsync({
          AccessToken: token,
        });
        assert.equal(refusedHeader.Succeeded, "true");
        assert.equal(refused.AuthenticationSucceeded, false, token);
        assert.equal(refused.Credentials ?? null, null, "no ticket");
      }
      await server.services.auth.revoke(bearer);
      const [revoked] = await principal.AuthenticateWithAccessTokenAsync({ AccessToken: bearer });
      assert.equal(revoked.AuthenticationSucceeded, false, "a revoked token");
    });

    for (const [operation, args, reason] of [
      ["AuthenticateImplicit", {}, /Windows identity/],
      [
        "AuthenticateGeneric",
        {
          AuthenticationData: {
            AuthenticationGenericDataKeyValuePair: [{ Key: "user", Value: "kuhn" }],
          },
        },
        /authentication plug-in/,
      ],
    ] as const) {
      it(`${operation} cannot apply here: AuthenticationSucceeded false, ExceptionInfo says why`, async () => {
        const [result, , header] = await principal[`${operation}Async`](args);
        assert.equal(result.AuthenticationSucceeded, false);
        assert.equal(result.Credentials ?? null, null);
        assert.equal(header.Succeeded, "false");
        assert.equal(header.ExceptionInfo.ExceptionType, "NotSupportedException");
        assert.match(header.ExceptionInfo.Message, reason);
        assert.match(header.ExceptionInfo.Message, /AuthenticateWithAccessToken/);
      });
    }

    it("GetSystemInfo answers without a ticket: this server's name and version", async () => {
      const [result, , header] = await principal.GetSystemInfoAsync({});
      assert.equal(header.Succeeded, "true");
      assert.equal(result.SystemInfo.AssemblyVersion, "0.1.0");
      assert.match(result.SystemInfo.Description, /chat-presence/);
      assert.equal(result.SystemInfo.License ?? null, null);
    });
  });
}

describe("SoPrincipal.svc online: GetSystemInfo needs the application token", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ online: true });
  });
  after(() => server.close());

  it("refused without it, answered with it", async () => {
    const principal = await soap.createClientAsync(
      `${server.url}/Remote/Services88/SoPrincipal.svc?wsdl`,
    );
    const [, , refused] = await principal.GetSystemInfoAsync({});
    assert.equal(refused.Succeeded, "false");
    assert.equal(
      refused.ExceptionInfo.Parameters.SoExceptionInfoParametersKeyValuePair.Value,
      "PRES_ERR_APP_TOKEN",
    );
    principal.addSoapHeader({ ApplicationToken: "app-123" }, "", "tns", NS88);
    const [result, , header] = await principal.GetSystemInfoAsync({});
    assert.equal(header.Succeeded, "true");
    assert.equal(result.SystemInfo.AssemblyVersion, "0.1.0");
  });
});
