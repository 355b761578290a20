/** Response formats (JSON by default, XML on request) and `$select`. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OPERATOR } from "../src/service/users.ts";
import { ADMIN, post, ROUTES, readAll, SEEDED_KUHN, setPresent } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

type Presence = Record<string, unknown>;

const ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const KUHN_XML = `<ChatPresence><UserId>883</UserId><DisplayName>User kuhn</DisplayName><OngoingChats>2</OngoingChats><Present>true</Present><ChatTopics xmlns:a="${ARRAYS_NS}"><a:int>128</a:int><a:int>574</a:int></ChatTopics></ChatPresence>`;

/** Reads the DataContract XML list back into ChatPresence objects (i:nil → null). */
function fromXml(xml: string): Presence[] {
  const items = [...xml.matchAll(/<ChatPresence>(.*?)<\/ChatPresence>/g)].map((m) => m[1]);
  return items.map((item) => {
    const field = (name: string) => new RegExp(`<${name}>(.*?)</${name}>`).exec(item)?.[1];
    const nil = (name: string) => item.includes(`<${name} i:nil="true"/>`);
    const topics = /<ChatTopics(?: [^>]*)?>(.*?)<\/ChatTopics>/.exec(item)?.[1] ?? "";
    return {
      UserId: Number(field("UserId")),
      DisplayName: nil("DisplayName") ? null : field("DisplayName"),
      OngoingChats: Number(field("OngoingChats")),
      Present: field("Present") === "true",
      ChatTopics: nil("ChatTopics")
        ? null
        : [...topics.matchAll(/<a:int>(\d+)<\/a:int>/g)].map((m) => Number(m[1])),
    };
  });
}

/** GetAll (GET) or GetChatPresence (POST) with these headers. */
function fetchList(server: TestServer, path: string, headers: Record<string, string>) {
  const method = path.startsWith(ROUTES.getAll) ? "GET" : "POST";
  return server.fetch(path, { method, headers: { Authorization: ADMIN, ...headers } });
}

/**
 * A test server for the tests of one describe block with Kuhn present: `suite.server`, and
 * `suite.reference`, GetAll's list as JSON.
 */
function kuhnPresentSuite() {
  const suite = {} as { server: TestServer; reference: Presence[] };
  before(async () => {
    suite.server = await startTestServer();
    await setPresent(suite.server, [{ UserId: 883, Present: true }]);
    suite.reference = await readAll(suite.server);
  });
  after(() => suite.server.close());
  return suite;
}

describe("responses: JSON by default, XML when Accept asks", () => {
  const suite = kuhnPresentSuite();

  it("returns every chat user in PascalCase JSON", () => {
    assert.deepEqual(
      suite.reference.map((p) => p.UserId),
      [1, 589, 883, 900],
    );
    assert.deepEqual(suite.reference[2], { ...SEEDED_KUHN, Present: true });
  });

  const cases: [string | undefined, string][] = [
    [undefined, "application/json"],
    ["application/json", "application/json"],
    ["application/json; charset=utf-8", "application/json"],
    ["text/json", "text/json"],
    ["application/xml", "application/xml"],
    ["text/xml", "text/xml"],
    ["application/json;q=0.5, application/xml", "application/xml"],
    ["application/xml;q=0.4, text/json;q=0.8", "text/json"],
    ["application/xml;q=0, */*", "application/json"],
    ["*/*", "application/json"],
    ["text/html", "application/json"],
  ];
  for (const route of [ROUTES.getAll, ROUTES.getChat])
    for (const [accept, expected] of cases) {
      it(`${route} with Accept ${accept ?? "(none)"} answers ${expected}`, async () => {
        const response = await fetchList(suite.server, route, accept ? { Accept: accept } : {});
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-type"), `${expected}; charset=utf-8`);
        const text = await response.text();
        if (!expected.endsWith("xml")) {
          assert.deepEqual(JSON.parse(text), suite.reference);
          return;
        }
        assert.match(
          text,
          /^<\?xml version="1.0" encoding="utf-8"\?><ArrayOfChatPresence xmlns="http:\/\/schemas.datacontract.org\/2004\/07\/SuperOffice.CRM.Services" xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance"><ChatPresence>/,
        );
        assert.ok(text.includes(KUHN_XML), text);
        assert.ok(text.endsWith("</ArrayOfChatPresence>"));
        assert.deepEqual(fromXml(text), suite.reference);
      });
    }

  it("escapes XML special characters in display names", async () => {
    await suite.server.services.users.create(OPERATOR, {
      id: 950,
      username: "amp",
      displayName: `Tom & "Jerry" <Co>`,
      role: "agent",
    });
    const text = await (
      await fetchList(suite.server, ROUTES.getAll, { Accept: "text/xml" })
    ).text();
    assert.ok(
      text.includes("<DisplayName>Tom &amp; &quot;Jerry&quot; &lt;Co&gt;</DisplayName>"),
      text,
    );
    await suite.server.services.users.delete(OPERATOR, 950);
  });
});

describe("$select on the Agents routes", () => {
  const suite = kuhnPresentSuite();

  /** The suite.reference list with every field outside `kept` nulled the .NET way. */
  function selected(kept: string[]): Presence[] {
    const empty: Presence = {
      UserId: 0,
      DisplayName: null,
      OngoingChats: 0,
      Present: false,
      ChatTopics: null,
    };
    return suite.reference.map((p) => ({
      ...empty,
      ...Object.fromEntries(kept.map((k) => [k, p[k]])),
    }));
  }

  const cases: [string, string[]][] = [
    ["UserId,Present", ["UserId", "Present"]],
    ["userid,PRESENT", ["UserId", "Present"]],
    [" UserId , present ", ["UserId", "Present"]],
    ["DisplayName,ChatTopics", ["DisplayName", "ChatTopics"]],
    ["ongoingchats", ["OngoingChats"]],
    ["name,department,category/id", []],
    ["", ["UserId", "DisplayName", "OngoingChats", "Present", "ChatTopics"]],
  ];
  for (const [select, kept] of cases) {
    it(`$select=${select} keeps ${kept.join(", ") || "nothing"}`, async () => {
      const query = `?$select=${encodeURIComponent(select)}`;
      const response = await fetchList(suite.server, ROUTES.getChat + query, {});
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), selected(kept));
    });
  }

  it("accepts a percent-encoded %24select", async () => {
    const response = await fetchList(suite.server, `${ROUTES.getChat}?%24select=UserId`, {});
    assert.deepEqual(await response.json(), selected(["UserId"]));
  });

  it("renders $select in XML as i:nil and .NET defaults", async () => {
    const response = await fetchList(suite.server, `${ROUTES.getChat}?$select=UserId,Present`, {
      Accept: "application/xml",
    });
    const text = await response.text();
    assert.ok(
      text.includes(
        '<ChatPresence><UserId>883</UserId><DisplayName i:nil="true"/><OngoingChats>0</OngoingChats><Present>true</Present><ChatTopics i:nil="true"/></ChatPresence>',
      ),
      text,
    );
    assert.deepEqual(fromXml(text), selected(["UserId", "Present"]));
  });

  it("takes $select on SaveChatPresence too: still 204 and saved", async () => {
    const response = await post(suite.server, `${ROUTES.saveChat}?$select=UserId`, {
      ChatPresence: [{ UserId: 589, Present: true }],
    });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
    const all = await readAll(suite.server);
    assert.equal(all.find((p) => p.UserId === 589)?.Present, true);
  });
});
