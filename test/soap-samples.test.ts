/**
 * The SuperOffice SOAP samples: the two seed envelopes verbatim, and every published example
 * of the implemented operations, for Services86 and Services88, answered in the samples' shape.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/server.ts";
import {
  asServices86,
  at,
  bodyOf,
  headerOf,
  namesOf,
  PLACEHOLDER_TICKET,
  post,
  presentByUser,
  type SoapReply,
  sample,
  shapeOf,
} from "./support/soap.ts";

const SEED_SAVE = "seeds/000_b23d941732289afc.txt"; // Services88 SaveChatPresence
const SEED_GET = "seeds/001_a75e3bfd101709bf.txt"; // Services86 GetChatPresence
const EXAMPLES = "contract/soap/examples/";
const VERSIONS = [
  { name: "Services88", convert: (xml: string) => xml },
  { name: "Services86", convert: asServices86 },
];

/** Namespaces, element names, order and xsi:types as in the sample (the Header aside). */
function assertSampleShape(reply: SoapReply, sampleResponse: string) {
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.contentType, /^application\/soap\+xml/);
  assert.deepEqual(shapeOf(reply.text), shapeOf(sampleResponse));
}

function endpoint(xml: string, service: "Chat" | "SoPrincipal"): string {
  const version = xml.includes("NetServer/Services86") ? "Services86" : "Services88";
  return `/Remote/${version}/${service}.svc`;
}

describe("SOAP seed samples, verbatim", () => {
  let server: TestServer;
  let adminTicket: string;
  before(async () => {
    server = await startTestServer();
    adminTicket = await server.services.auth.issue("ticket", 1);
  });
  after(() => server.close());

  for (const { name, convert } of VERSIONS) {
    it(`${name} GetChatPresence (seed 001): the sample's placeholder ticket is refused in ExceptionInfo`, async () => {
      const { request, response } = sample(SEED_GET);
      const xml = convert(request);
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assert.equal(reply.status, 200);
      assert.deepEqual(headerOf(reply), {
        succeeded: "false",
        exceptionType: "SoAuthenticationException",
        message: "Authentication is required: the ticket is unknown or has expired",
        errorCode: "PRES_ERR_UNAUTHENTICATED",
      });
      const expected = shapeOf(convert(response));
      const actual = shapeOf(reply.text);
      assert.deepEqual(actual.declarations, expected.declarations);
      assert.deepEqual(
        actual.paths,
        expected.paths.filter((p) => !p.includes("}Response")),
      );
    });

    it(`${name} GetChatPresence (seed 001) with a real ticket: every user, in the sample's shape`, async () => {
      const { request, response } = sample(SEED_GET);
      const xml = convert(request).replace(PLACEHOLDER_TICKET, adminTicket);
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.equal(headerOf(reply).succeeded, "true");
      const list = at(bodyOf(reply), "Response")?.children ?? [];
      assert.deepEqual(
        list.map((p) => at(p, "UserId")?.text),
        ["1", "589", "883", "900"],
      );
      const kuhn = list[2];
      assert.deepEqual(
        kuhn.children.map((c) => [
          c.name,
          c.children.length ? c.children.map((t) => t.text) : c.text,
        ]),
        [
          ["UserId", "883"],
          ["DisplayName", "User kuhn"],
          ["OngoingChats", "2"],
          ["Present", "false"],
          ["ChatTopics", ["128", "574"]],
        ],
      );
    });

    it(`${name} SaveChatPresence (seed 000) with a real ticket: UserId 0 does not exist, nothing is saved`, async () => {
      const { request, response } = sample(SEED_SAVE);
      const xml = convert(request).replace(PLACEHOLDER_TICKET, adminTicket);
      const before = await presentByUser(server);
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.deepEqual(headerOf(reply), {
        succeeded: "false",
        exceptionType: "ArgumentException",
        message: "Entry 0: there is no chat user with UserId 0",
        errorCode: "PRES_ERR_UNKNOWN_USER",
      });
      assert.deepEqual(await presentByUser(server), before);
    });

    it(`${name} SaveChatPresence (seed 000) for a real user: saved, in the sample's shape`, async () => {
      const { request, response } = sample(SEED_SAVE);
      const xml = convert(request)
        .replace(PLACEHOLDER_TICKET, adminTicket)
        .replace('<Chat:UserId xsi:type="xsd:int">0<', '<Chat:UserId xsi:type="xsd:int">589<')
        .replace(">false</Chat:Present>", ">true</Chat:Present>");
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.equal(headerOf(reply).succeeded, "true");
      assert.equal((await presentByUser(server))[589], true);
      await server.services.presence.save({ userId: 1, username: "tje0", role: "admin" }, [
        { userId: 589, present: false },
      ]);
    });
  }
});

describe("SOAP published examples", () => {
  let server: TestServer;
  let ticket: string;
  before(async () => {
    server = await startTestServer();
    ticket = await server.services.auth.issue("ticket", 883);
  });
  after(() => server.close());

  for (const { name, convert } of VERSIONS) {
    it(`${name} Chat-GetChatPresence.md`, async () => {
      const { request, response } = sample(`${EXAMPLES}Chat-GetChatPresence.md`);
      const xml = convert(request).replace(PLACEHOLDER_TICKET, ticket);
      assertSampleShape(await post(server, endpoint(xml, "Chat"), xml), convert(response));
    });

    it(`${name} Chat-SaveChatPresence.md: an agent saving UserId 0 gets ExceptionInfo`, async () => {
      const { request, response } = sample(`${EXAMPLES}Chat-SaveChatPresence.md`);
      const xml = convert(request).replace(PLACEHOLDER_TICKET, ticket);
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.equal(headerOf(reply).errorCode, "PRES_ERR_UNKNOWN_USER");
    });

    it(`${name} Chat-SaveChatPresence.md for the agent's own UserId`, async () => {
      const { request, response } = sample(`${EXAMPLES}Chat-SaveChatPresence.md`);
      const xml = convert(request)
        .replace(PLACEHOLDER_TICKET, ticket)
        .replace('xsd:int">0</Chat:UserId>', 'xsd:int">883</Chat:UserId>')
        .replace(">false</Chat:Present>", ">true</Chat:Present>");
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.equal(headerOf(reply).succeeded, "true");
      assert.equal((await presentByUser(server))[883], true);
    });

    it(`${name} Chat-IsWithinOpeningHours.md: a topic without opening hours is open`, async () => {
      const { request, response } = sample(`${EXAMPLES}Chat-IsWithinOpeningHours.md`);
      const verbatim = convert(request).replace(PLACEHOLDER_TICKET, ticket);
      assertSampleShape(
        await post(server, endpoint(verbatim, "Chat"), verbatim),
        convert(response),
      );
      const xml = verbatim.replace(
        'xsd:int">0</Chat:ChatTopicId>',
        'xsd:int">128</Chat:ChatTopicId>',
      );
      const reply = await post(server, endpoint(xml, "Chat"), xml);
      assertSampleShape(reply, convert(response));
      assert.equal(at(bodyOf(reply), "Response")?.text, "true");
    });

    it(`${name} SoPrincipal-AuthenticateUsernamePassword.md: empty credentials do not authenticate`, async () => {
      const { request, response } = sample(
        `${EXAMPLES}SoPrincipal-AuthenticateUsernamePassword.md`,
      );
      const xml = convert(request);
      const reply = await post(server, endpoint(xml, "SoPrincipal"), xml);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(headerOf(reply).succeeded, "true");
      const body = bodyOf(reply);
      assert.deepEqual(
        body.children.map((c) => [c.name, c.attributes.nil ?? c.text]),
        [
          ["Response", "true"],
          ["Credentials", "true"],
          ["AuthenticationSucceeded", "false"],
        ],
      );
      const expected = shapeOf(convert(response));
      assert.deepEqual(shapeOf(reply.text).declarations, expected.declarations);
    });

    it(`${name} SoPrincipal-AuthenticateUsernamePassword.md with a real user: a 7T ticket`, async () => {
      const { request, response } = sample(
        `${EXAMPLES}SoPrincipal-AuthenticateUsernamePassword.md`,
      );
      const xml = convert(request)
        .replace('xsd:string"></SoPrincipal:UserName>', 'xsd:string">tje0</SoPrincipal:UserName>')
        .replace('xsd:string"></SoPrincipal:Password>', 'xsd:string">Tje0</SoPrincipal:Password>');
      const reply = await post(server, endpoint(xml, "SoPrincipal"), xml);
      assert.equal(reply.status, 200, reply.text);
      const expected = shapeOf(convert(response));
      const actual = shapeOf(reply.text);
      assert.deepEqual(actual.declarations, expected.declarations);
      // Same elements in the same order; lists the directory has nothing for stay empty.
      const expectedNames = namesOf(expected.paths);
      const actualNames = namesOf(actual.paths);
      assert.deepEqual(
        actualNames,
        expectedNames.filter((p) => actualNames.includes(p)),
      );
      const depth = (path: string) => path.split("}").length - 1;
      const carrier = (paths: string[]) => paths.filter((p) => depth(p) <= 5);
      assert.deepEqual(carrier(actualNames), carrier(expectedNames));
      const body = bodyOf(reply);
      assert.equal(at(body, "AuthenticationSucceeded")?.text, "true");
      assert.match(at(body, "Credentials", "Ticket")?.text ?? "", /^7T:[\w-]{32}$/);
      assert.equal(at(body, "Response", "AssociateId")?.text, "1");
      assert.equal(at(body, "Response", "Associate")?.text, "tje0");
      assert.equal(at(body, "Response", "FullName")?.text, "User tje0");
      assert.equal(at(body, "Response", "UserType")?.text, "InternalAssociate");
    });
  }
});
