/**
 * A real SOAP client: the `soap` package builds clients from the served WSDLs and calls every
 * implemented operation, SOAP 1.1 and 1.2, Services86 and Services88. Tickets cross over:
 * SoPrincipal's work on Chat.svc and on REST, and REST's (AuthService) work on SOAP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import soap from "soap";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";
import { NS86, NS88 } from "./support/soap.ts";

describe("SOAP through the soap package's client", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const [version, ns] of [
    ["Services86", NS86],
    ["Services88", NS88],
  ] as const) {
    const principalWsdl = () => `${server.url}/Remote/${version}/SoPrincipal.svc?wsdl`;
    const chatWsdl = () => `${server.url}/Remote/${version}/Chat.svc?wsdl`;

    async function signIn(username: string, password: string) {
      const client = await soap.createClientAsync(principalWsdl());
      const [result, , header] = await client.AuthenticateUsernamePasswordAsync({
        UserName: username,
        Password: password,
      });
      assert.equal(header.Succeeded, "true");
      return result;
    }

    it(`${version} AuthenticateUsernamePassword: a ticket for the right password only`, async () => {
      const result = await signIn("ocon", PASSWORD);
      assert.equal(result.AuthenticationSucceeded, true);
      assert.match(result.Credentials.Ticket, /^7T:/);
      assert.equal(result.Response.AssociateId, 589);
      assert.equal(result.Response.FullName, "User ocon");
      const refused = await signIn("ocon", "wrong");
      assert.equal(refused.AuthenticationSucceeded, false);
      assert.equal(refused.Credentials?.Ticket, undefined, "no ticket");
    });

    for (const soap12 of [false, true]) {
      it(`${version} Chat.svc over SOAP ${soap12 ? "1.2" : "1.1"} with a SoPrincipal ticket, which REST accepts too`, async () => {
        const ticket = (await signIn("ocon", PASSWORD)).Credentials.Ticket;
        const chat = await soap.createClientAsync(chatWsdl(), { forceSoap12Headers: soap12 });
        chat.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", ns);

        const [list, , listHeader] = await chat.GetChatPresenceAsync({});
        assert.equal(listHeader.Succeeded, "true");
        assert.deepEqual(
          list.Response.ChatPresence.map((p: { UserId: unknown }) => p.UserId),
          [1, 589, 883, 900],
        );

        const [, , saveHeader] = await chat.SaveChatPresenceAsync({
          ChatPresence: { ChatPresence: [{ UserId: 589, Present: true }] },
        });
        assert.equal(saveHeader.Succeeded, "true");
        const rest = await server.fetch("/api/v1/Presence/GetAll", {
          headers: { Authorization: `SoTicket ${ticket}` },
        });
        assert.equal(rest.status, 200);
        const ocon = (await rest.json()).find((p: { UserId: number }) => p.UserId === 589);
        assert.equal(ocon.Present, true);
        await chat.SaveChatPresenceAsync({
          ChatPresence: { ChatPresence: [{ UserId: 589, Present: false }] },
        });

        const [open] = await chat.IsWithinOpeningHoursAsync({ ChatTopicId: 128 });
        assert.equal(open.Response, true);
      });
    }

    it(`${version} Chat.svc refuses another user's presence in the ExceptionInfo header`, async () => {
      const ticket = (await signIn("ocon", PASSWORD)).Credentials.Ticket;
      const chat = await soap.createClientAsync(chatWsdl());
      chat.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", ns);
      const [, , header] = await chat.SaveChatPresenceAsync({
        ChatPresence: { ChatPresence: [{ UserId: 883, Present: true }] },
      });
      assert.equal(header.Succeeded, "false");
      assert.equal(header.ExceptionInfo.ExceptionType, "SoAccessDeniedException");
    });

    it(`${version} Chat.svc accepts a ticket the service layer issued (as REST's)`, async () => {
      const ticket = await server.services.auth.issue("ticket", 883);
      const chat = await soap.createClientAsync(chatWsdl(), { forceSoap12Headers: true });
      chat.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", ns);
      const [list] = await chat.GetChatPresenceAsync({});
      assert.equal(list.Response.ChatPresence.length, 4);
    });
  }

  it("Services88 Chat.svc answers every declared operation: without a ticket, ExceptionInfo (no fault)", async () => {
    const chat = await soap.createClientAsync(`${server.url}/Remote/Services88/Chat.svc?wsdl`);
    const [result, , header] = await chat.GetChatSessionEntityAsync({ ChatSessionEntityId: 1 });
    assert.equal(header.Succeeded, "false");
    assert.equal(header.ExceptionInfo.ExceptionType, "SoAuthenticationException");
    assert.equal(result, null);
  });
});
