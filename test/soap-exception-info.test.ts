/**
 * SOAP application errors as ExceptionInfo: refused tickets and rights with Succeeded false and
 * nothing saved, messages in the caller's language, and the ApplicationToken of online mode.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PASSWORD, testServerSuite } from "./support/server.ts";
import { at, bodyOf, headerOf, post, presentByUser } from "./support/soap.ts";
import {
  assertVersion,
  CHAT88,
  call,
  contentHeaders,
  envelope,
  PRINCIPAL88,
  SAVE,
} from "./support/soap-envelopes.ts";

describe("SOAP ExceptionInfo", () => {
  const suite = testServerSuite({ admin: ["ticket", 1], ocon: ["ticket", 589] });

  for (const version of ["1.1", "1.2"] as const) {
    describe(`SOAP ${version}`, () => {
      const refusals: [string, () => { ticket?: string; body: string }, string, string][] = [
        [
          "no ticket",
          () => ({ body: "<c:GetChatPresence/>" }),
          "SoAuthenticationException",
          "PRES_ERR_UNAUTHENTICATED",
        ],
        [
          "an unknown ticket",
          () => ({ ticket: "7T:nope", body: "<c:GetChatPresence/>" }),
          "SoAuthenticationException",
          "PRES_ERR_UNAUTHENTICATED",
        ],
        [
          "another user's presence",
          () => ({ ticket: suite.ocon, body: SAVE(883, true) }),
          "SoAccessDeniedException",
          "PRES_ERR_FORBIDDEN_USER",
        ],
        [
          "an unknown UserId",
          () => ({ ticket: suite.admin, body: SAVE(4242, true) }),
          "ArgumentException",
          "PRES_ERR_UNKNOWN_USER",
        ],
      ];
      for (const [name, make, exceptionType, errorCode] of refusals) {
        it(`refuses ${name} in ExceptionInfo, Succeeded false, nothing saved`, async () => {
          const { ticket, body } = make();
          const before = await presentByUser(suite.server);
          const reply = await call(
            suite.server,
            CHAT88,
            version,
            envelope(version, body, { ticket }),
          );
          assert.equal(reply.status, 200, reply.text);
          assertVersion(reply, version);
          const header = headerOf(reply);
          assert.deepEqual(
            [header.succeeded, header.exceptionType, header.errorCode],
            ["false", exceptionType, errorCode],
          );
          assert.ok(header.message);
          assert.equal(bodyOf(reply).children.length, 0);
          assert.deepEqual(await presentByUser(suite.server), before);
        });
      }

      it("checks the ticket of an envelope it has read before on every call", async () => {
        const ticket = await suite.server.services.auth.issue("ticket", 883);
        const xml = envelope(version, "<c:GetChatPresence/>", { ticket });
        assert.equal(headerOf(await call(suite.server, CHAT88, version, xml)).succeeded, "true");
        await suite.server.services.auth.revoke(ticket);
        const again = await call(suite.server, CHAT88, version, xml);
        assert.equal(headerOf(again).errorCode, "PRES_ERR_UNAUTHENTICATED");
      });

      it("refuses an expired ticket", async () => {
        const expired = await suite.server.services.auth.issue("ticket", 1, -1000);
        const reply = await call(
          suite.server,
          CHAT88,
          version,
          envelope(version, "<c:GetChatPresence/>", { ticket: expired }),
        );
        assert.equal(headerOf(reply).errorCode, "PRES_ERR_UNAUTHENTICATED");
      });

      it("writes ExceptionInfo in Norwegian when asked", async () => {
        const reply = await post(
          suite.server,
          CHAT88,
          envelope(version, SAVE(883, true), { ticket: suite.ocon }),
          {
            ...contentHeaders(version),
            "accept-language": "nb-NO",
          },
        );
        assert.equal(
          headerOf(reply).message,
          "Element 0: du kan ikke endre tilstedeværelsen til UserId 883",
        );
      });
    });
  }
});

describe("SOAP in online mode", () => {
  const suite = testServerSuite({ ticket: ["ticket", 883] }, { online: true });

  it("refuses a call without a registered ApplicationToken in ExceptionInfo", async () => {
    for (const appToken of [undefined, "1234567-1234-9876"]) {
      const reply = await call(
        suite.server,
        CHAT88,
        "1.2",
        envelope("1.2", "<c:GetChatPresence/>", { ticket: suite.ticket, appToken }),
      );
      const header = headerOf(reply);
      assert.deepEqual(
        [header.succeeded, header.exceptionType, header.errorCode],
        ["false", "SoAuthenticationException", "PRES_ERR_APP_TOKEN"],
      );
    }
  });

  it("accepts the registered ApplicationToken in the Header or under Envelope", async () => {
    for (const place of ["header", "envelope"] as const) {
      const reply = await call(
        suite.server,
        CHAT88,
        "1.1",
        envelope("1.1", "<c:GetChatPresence/>", {
          ticket: suite.ticket,
          appToken: "app-123",
          place,
        }),
      );
      assert.equal(headerOf(reply).succeeded, "true", reply.text);
    }
  });

  it("checks the ApplicationToken on SoPrincipal too", async () => {
    const authenticate = `<c:AuthenticateUsernamePassword><c:UserName>kuhn</c:UserName><c:Password>${PASSWORD}</c:Password></c:AuthenticateUsernamePassword>`;
    const refused = await call(suite.server, PRINCIPAL88, "1.2", envelope("1.2", authenticate));
    assert.equal(headerOf(refused).errorCode, "PRES_ERR_APP_TOKEN");
    assert.equal(bodyOf(refused).children.length, 0);
    const accepted = await call(
      suite.server,
      PRINCIPAL88,
      "1.2",
      envelope("1.2", authenticate, { appToken: "app-123" }),
    );
    assert.equal(at(bodyOf(accepted), "AuthenticationSucceeded")?.text, "true");
  });
});
