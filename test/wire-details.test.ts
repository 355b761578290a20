/**
 * Wire details clients hit: booleans as each format's .NET reader takes them (XML Schema in
 * REST XML and SOAP, Newtonsoft.Json in JSON), and XML list bodies with the wrong element names
 * refused instead of saved as nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { expectError, post, presentByUser, ROUTES, setPresent } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { faultOf, headerOf, NS88, SOAP12, post as soapPost } from "./support/soap.ts";

const DC = 'xmlns="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"';
const item = (userId: number, present: string) =>
  `<ChatPresence><UserId>${userId}</UserId><Present>${present}</Present></ChatPresence>`;
const list = (items: string, root = "ArrayOfChatPresence") => `<${root} ${DC}>${items}</${root}>`;
const wrapped = (items: string) =>
  `<Chat_SaveChatPresenceRequest ${DC}><ChatPresence>${items}</ChatPresence></Chat_SaveChatPresenceRequest>`;

const ACCEPTED = [
  ["true", true],
  ["false", false],
  ["1", true],
  ["0", false],
  ["  1\n", true],
  ["\tfalse ", false],
] as const;
const REFUSED = ["TRUE", "True", "False", "yes", "on", "2", ""];

describe("wire details: booleans and XML element names", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  describe("XML booleans (REST)", () => {
    for (const [route, body] of [
      [ROUTES.saveAll, list],
      [ROUTES.saveChat, wrapped],
    ] as const) {
      it(`${route} takes true, false, 1 and 0 with white space around`, async () => {
        for (const [text, value] of ACCEPTED) {
          await setPresent(server, [{ UserId: 589, Present: !value }]);
          const response = await post(server, route, body(item(589, text)), {
            contentType: "application/xml",
          });
          assert.equal(response.status, 204, `${JSON.stringify(text)}: ${await response.text()}`);
          assert.equal((await presentByUser(server))[589], value, JSON.stringify(text));
        }
      });

      it(`${route} refuses TRUE, True, yes … naming the field, and saves nothing`, async () => {
        await setPresent(server, [{ UserId: 589, Present: false }]);
        for (const text of REFUSED) {
          const response = await post(server, route, body(item(883, "true") + item(589, text)), {
            contentType: "text/xml",
          });
          const error = await expectError(response, 400, {
            message: /\[1\]\.Present: expected true, false, 1 or 0/,
          });
          assert.match(error.ErrorMessage, /589/, JSON.stringify(text));
        }
        const stored = await presentByUser(server);
        assert.deepEqual([stored[883], stored[589]], [false, false], "nothing saved");
      });
    }
  });

  describe("JSON booleans (Newtonsoft.Json)", () => {
    it("takes an integer for a boolean: 0 false, any other true", async () => {
      for (const [number, value] of [
        [1, true],
        [0, false],
        [-3, true],
        [42, true],
      ] as const) {
        await setPresent(server, [{ UserId: 883, Present: !value }]);
        const response = await post(server, ROUTES.saveAll, [{ UserId: 883, Present: number }]);
        assert.equal(response.status, 204, await response.text());
        assert.equal((await presentByUser(server))[883], value, String(number));
      }
      const agents = await post(server, ROUTES.saveChat, {
        ChatPresence: [{ UserId: 883, Present: 1 }],
      });
      assert.equal(agents.status, 204);
      assert.equal((await presentByUser(server))[883], true);
    });

    it("still takes the strings and refuses fractions, numeric strings and other words", async () => {
      await setPresent(server, [{ UserId: 883, Present: false }]);
      const strings = await post(server, ROUTES.saveAll, [{ UserId: 883, Present: "true" }]);
      assert.equal(strings.status, 204);
      assert.equal((await presentByUser(server))[883], true);
      for (const present of [0.5, "1", "yes", null])
        await expectError(
          await post(server, ROUTES.saveAll, [{ UserId: 883, Present: present }]),
          400,
          { message: /\[0\]\.Present: expected true or false/ },
        );
    });
  });

  describe("XML list element names", () => {
    it("refuses a list body whose root is not ArrayOfChatPresence, saving nothing", async () => {
      await setPresent(server, [{ UserId: 589, Present: false }]);
      for (const root of [
        "Foo",
        "ChatPresence",
        "ArrayOfChatTopicAgent",
        "Chat_SaveChatPresenceRequest",
      ]) {
        const response = await post(server, ROUTES.saveAll, list(item(589, "true"), root), {
          contentType: "application/xml",
        });
        const error = await expectError(response, 400, {
          type: "SerializationException",
          message: new RegExp(`<${root}> where <ArrayOfChatPresence> is expected`),
        });
        assert.equal((error as unknown as { ErrorCode: string }).ErrorCode, "PRES_ERR_XML_ELEMENT");
      }
      const empty = await post(server, ROUTES.saveAll, `<Foo ${DC}/>`, { contentType: "text/xml" });
      await expectError(empty, 400, { message: /<Foo>/ });
      assert.equal((await presentByUser(server))[589], false);
    });

    it("refuses an entry element that is not ChatPresence", async () => {
      const body = list(`${item(589, "true")}<Foo><UserId>883</UserId></Foo>`);
      const response = await post(server, ROUTES.saveAll, body, { contentType: "text/xml" });
      await expectError(response, 400, { message: /<Foo> where <ChatPresence> is expected/ });
    });

    it("keeps the names in any case, and an empty list is an empty save", async () => {
      for (const body of [
        `<arrayofchatpresence>${item(589, "1").replace(/ChatPresence/g, "chatPresence")}</arrayofchatpresence>`,
        `<ArrayOfChatPresence ${DC}/>`,
      ]) {
        const response = await post(server, ROUTES.saveAll, body, { contentType: "text/xml" });
        assert.equal(response.status, 204, await response.text());
      }
      assert.equal((await presentByUser(server))[589], true);
    });

    it("refuses a ChatTopicAgent list under another root", async () => {
      const response = await server.fetch("/api/v1/ChatTopic/574/UserAgent", {
        method: "PUT",
        headers: { Authorization: "Basic dGplMDpUamUw", "Content-Type": "application/xml" },
        body: `<ArrayOfChatPresence ${DC}><ChatTopicAgent><User><AssociateId>589</AssociateId></User><CanListen>1</CanListen></ChatTopicAgent></ArrayOfChatPresence>`,
      });
      await expectError(response, 400, { message: /<ArrayOfChatTopicAgent> is expected/ });
    });
  });

  describe("XML booleans (SOAP)", () => {
    const save = (ticket: string, present: string) =>
      `<s:Envelope xmlns:s="${SOAP12}" xmlns:c="${NS88}"><s:Header><c:Credentials><c:Ticket>${ticket}</c:Ticket></c:Credentials></s:Header><s:Body><c:SaveChatPresence><c:ChatPresence><c:ChatPresence><c:UserId>589</c:UserId><c:Present>${present}</c:Present></c:ChatPresence></c:ChatPresence></c:SaveChatPresence></s:Body></s:Envelope>`;

    it("SaveChatPresence takes true, false, 1 and 0 with white space around", async () => {
      const ticket = await server.services.auth.issue("ticket", 589);
      for (const [text, value] of ACCEPTED) {
        await setPresent(server, [{ UserId: 589, Present: !value }]);
        const reply = await soapPost(server, "/Remote/Services88/Chat.svc", save(ticket, text));
        assert.equal(headerOf(reply).succeeded, "true", reply.text);
        assert.equal((await presentByUser(server))[589], value, JSON.stringify(text));
      }
    });

    it("SaveChatPresence refuses TRUE, True, yes … as a Sender fault naming the field", async () => {
      const ticket = await server.services.auth.issue("ticket", 589);
      await setPresent(server, [{ UserId: 589, Present: false }]);
      for (const text of REFUSED) {
        const reply = await soapPost(server, "/Remote/Services88/Chat.svc", save(ticket, text));
        assert.equal(reply.status, 400, reply.text);
        const fault = faultOf(reply);
        assert.equal(fault.code, "SOAP-ENV:Sender");
        assert.match(
          fault.reason ?? "",
          /ChatPresence\[0\]\.Present: expected true, false, 1 or 0/,
        );
      }
      assert.equal((await presentByUser(server))[589], false);
    });
  });
});
