/**
 * Every published SOAP example (31 Chat.svc, 5 SoPrincipal.svc), Services88 and, for the three
 * operations it has, Services86: sent as published, each answers with the sample's envelope
 * and response element and only elements the sample shows, in its order (a nil Response or
 * ExceptionInfo where the sample's ids name nothing); sent with ids that exist, each answers
 * the whole carrier the sample shows.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/server.ts";
import {
  asServices86,
  headerOf,
  namesOf,
  PLACEHOLDER_TICKET,
  post,
  type SoapReply,
  sample,
  shapeOf,
} from "./support/soap.ts";

const EXAMPLES = "contract/soap/examples/";
const VERSIONS = [
  { name: "Services88", convert: (xml: string) => xml },
  { name: "Services86", convert: asServices86 },
];
const SERVICES86_CHAT = ["GetChatPresence", "SaveChatPresence", "IsWithinOpeningHours"];

/** Requests of the samples with ids that name something, so the answer is a whole carrier. */
const REAL_IDS: Record<string, [RegExp, string][]> = {
  "Chat-GetChatTopicEntity.md": [[/>0<\/Chat:ChatTopicEntityId>/, ">128</Chat:ChatTopicEntityId>"]],
  "Chat-GetChatSessionEntity.md": [
    [/>0<\/Chat:ChatSessionEntityId>/, ">1</Chat:ChatSessionEntityId>"],
  ],
  "Chat-GetChatTopicUserAgentList.md": [[/>0<\/Chat:ChatTopicId>/, ">574</Chat:ChatTopicId>"]],
  "Chat-GetChatTopicUserAgent.md": [
    [/>0<\/Chat:ChatTopicId>/, ">574</Chat:ChatTopicId>"],
    [/><\/Chat:Username>/, ">kuhn</Chat:Username>"],
  ],
  "Chat-CreateChatSessionForTopic.md": [[/>0<\/Chat:ChatTopicId>/, ">574</Chat:ChatTopicId>"]],
  "Chat-PickUpChatSession.md": [[/>0<\/Chat:ChatSessionId>/, ">4</Chat:ChatSessionId>"]],
  "Chat-GetChatMessages.md": [[/>0<\/Chat:ChatSessionId>/, ">1</Chat:ChatSessionId>"]],
  "Chat-GetChatTranscript.md": [[/>0<\/Chat:ChatSessionId>/, ">1</Chat:ChatSessionId>"]],
  "Chat-AddChatMessage.md": [
    [/>0<\/Chat:ChatSessionId>/g, ">1</Chat:ChatSessionId>"],
    [/>Invalid<\/Chat:Type>/, ">ToCustomer</Chat:Type>"],
    [/xsd:string"><\/Chat:Message>/, 'xsd:string">Hello</Chat:Message>'],
  ],
};

/**
 * Elements a sample shows that this server leaves out: Carrier's TableRight/FieldProperties and
 * the dictionaries it does not keep (time-zone rules, an associate's extra and custom fields),
 * and a null the type cannot carry as nil (a session's Flags).
 */
const LEFT_OUT = /\}(TimeZoneSTDRules|TimeZoneDSTRules|ExtraFields|CustomFields|Flags)(\/|$)/;

describe("SOAP published examples of every operation", () => {
  let server: TestServer;
  let ticket: string;
  before(async () => {
    server = await startTestServer();
    ticket = await server.services.auth.issue("ticket", 1);
    await server.services.messages.post({ userId: 883, username: "kuhn", role: "agent" }, 1, {
      type: "ToUser",
      message: "A question",
    });
  });
  after(() => server.close());

  const files = readdirSync(new URL(`fixtures/${EXAMPLES}`, import.meta.url)).sort();

  it("covers every operation of the published WSDLs", () => {
    assert.equal(files.filter((f) => f.startsWith("Chat-")).length, 31);
    assert.equal(files.filter((f) => f.startsWith("SoPrincipal-")).length, 5);
  });

  /** The reply has the sample's declarations and response element; what it carries is in order. */
  function assertWithinSample(reply: SoapReply, sampleResponse: string) {
    assert.equal(reply.status, 200, reply.text);
    const expected = shapeOf(sampleResponse);
    const actual = shapeOf(reply.text);
    assert.deepEqual(actual.declarations, expected.declarations);
    assert.equal(actual.paths[2], expected.paths[2], "the response element");
    const expectedNames = namesOf(expected.paths);
    const actualNames = namesOf(actual.paths);
    assert.deepEqual(
      actualNames.filter((p) => !expectedNames.includes(p)),
      [],
      "only elements the sample shows",
    );
    assert.deepEqual(
      actualNames,
      expectedNames.filter((p) => actualNames.includes(p)),
      "in the sample's order",
    );
    // Elements written nil (or left out) have no children: those of the sample are not expected.
    const nilNames = actual.paths.filter((p) => p.endsWith("[nil]")).map((p) => namesOf([p])[0]);
    const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));
    const required = expectedNames.filter((p) => {
      const parent = parentOf(p);
      return actualNames.includes(parent) && !nilNames.includes(parent);
    });
    return { required, actualNames };
  }

  for (const file of files) {
    const service = file.startsWith("Chat-") ? "Chat" : "SoPrincipal";
    for (const { name, convert } of VERSIONS) {
      const { request, response } = sample(`${EXAMPLES}${file}`);
      const operation = /<\w+:(\w+)>/.exec(request.slice(request.indexOf("Body>")))?.[1] ?? "";
      const path = `/Remote/${name}/${service}.svc`;
      if (name === "Services86" && service === "Chat" && !SERVICES86_CHAT.includes(operation))
        continue;

      it(`${name} ${file} as published: the sample's envelope, nil or ExceptionInfo where nothing matches`, async () => {
        const xml = convert(request).replace(PLACEHOLDER_TICKET, ticket);
        const reply = await post(server, path, xml);
        assertWithinSample(reply, convert(response));
        const header = headerOf(reply);
        if (header.succeeded === "false")
          assert.ok(header.errorCode, "ExceptionInfo names the error");
      });

      const replacements = REAL_IDS[file];
      if (!replacements) continue;
      it(`${name} ${file} with ids that exist: the whole carrier, in the sample's order`, async () => {
        let xml = convert(request).replace(PLACEHOLDER_TICKET, ticket);
        for (const [pattern, value] of replacements) xml = xml.replace(pattern, value);
        const reply = await post(server, path, xml);
        assert.equal(headerOf(reply).succeeded, "true", reply.text);
        const { required, actualNames } = assertWithinSample(reply, convert(response));
        assert.deepEqual(
          required.filter((p) => !actualNames.includes(p) && !LEFT_OUT.test(p)),
          [],
          "every element of the sample",
        );
      });
    }
  }
});
