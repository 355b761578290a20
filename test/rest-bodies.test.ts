/**
 * The REST seed samples replayed as documented, and every request body
 * content type on both save routes (PascalCase and camelCase, with and without namespaces).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { OPERATOR } from "../src/service/users.ts";
import {
  BODY_TYPES,
  type Entry,
  post,
  presentByUser,
  ROUTES,
  readAll,
  SEEDED_KUHN,
  setPresent,
} from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

interface Sample {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** The "Sample request" and response status of a SuperOffice reference page, as written. */
function readSample(file: string): Sample {
  const text = readFileSync(new URL(`./fixtures/seeds/${file}`, import.meta.url), "utf8");
  const responseAt = text.indexOf("Sample response");
  const lines = text
    .slice(text.indexOf("Sample request"), responseAt)
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => !line.startsWith("```") && !line.startsWith("#"));
  const start = lines.findIndex((line) => /^(GET|POST) \/api\//.test(line));
  const blank = lines.indexOf("", start);
  const [method, path] = lines[start].split(" ");
  const headers = Object.fromEntries(
    lines.slice(start + 1, blank).map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    }),
  );
  const status = Number(/HTTP\/1\.1 (\d{3})/.exec(text.slice(responseAt))?.[1]);
  return {
    method,
    path,
    headers,
    body: lines
      .slice(blank + 1)
      .join("\n")
      .trim(),
    status,
  };
}

/** What a save must leave behind: the last entry per UserId wins. */
function lastWins(entries: Entry[]): Entry[] {
  const last = new Map(entries.map((e) => [e.UserId, e.Present]));
  return [...last].map(([UserId, Present]) => ({ UserId, Present }));
}

describe("REST seed samples", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    // 004 saves UserId 338, who is not in the shared test directory.
    await server.services.users.create(OPERATOR, { id: 338, username: "mitchell", role: "agent" });
  });
  after(() => server.close());

  const samples: [string, string][] = [
    ["002_51d4d94aa58540cb.txt", ROUTES.saveChat],
    ["003_01eae9b2f90b8511.txt", ROUTES.saveAll],
    ["004_9fb25689f12f5369.txt", ROUTES.saveAll],
  ];
  for (const [file, route] of samples) {
    it(`replays ${file}: ${route} answers as documented and saves the last duplicate`, async () => {
      const sample = readSample(file);
      assert.equal(sample.path, route);
      assert.equal(sample.headers.Authorization, "Basic dGplMDpUamUw");
      const parsed = JSON.parse(sample.body);
      const entries: Entry[] = Array.isArray(parsed) ? parsed : parsed.ChatPresence;
      assert.equal(entries.length, 2, "each sample sends a duplicate");
      const expected = lastWins(entries);
      await setPresent(
        server,
        expected.map((e) => ({ UserId: e.UserId, Present: !e.Present })),
      );

      const response = await server.fetch(sample.path, {
        method: sample.method,
        headers: sample.headers,
        body: sample.body,
      });
      assert.equal(response.status, sample.status);
      assert.equal(response.status, 204);
      assert.equal(await response.text(), "", "204 has no body");
      const stored = await presentByUser(server);
      for (const e of expected) assert.equal(stored[e.UserId], e.Present, `UserId ${e.UserId}`);
    });
  }

  it("ignores DisplayName, OngoingChats and ChatTopics in a save", async () => {
    const kuhn = (await readAll(server)).find((p) => p.UserId === 883);
    assert.deepEqual(kuhn, SEEDED_KUHN);
  });
});

const DATA_CONTRACT =
  'xmlns="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"';

/** One save body in a content type's own syntax; `variant` 1 is the other spelling clients use. */
function encode(type: string, entries: Entry[], wrapped: boolean, variant: 0 | 1): string {
  if (type.includes("json")) {
    const list =
      variant === 0 ? entries : entries.map((e) => ({ userId: e.UserId, present: e.Present }));
    return JSON.stringify(wrapped ? { [variant ? "chatPresence" : "ChatPresence"]: list } : list);
  }
  if (type.includes("xml")) {
    const items = entries
      .map((e) =>
        variant === 0
          ? `<ChatPresence><UserId>${e.UserId}</UserId><DisplayName i:nil="true"/><OngoingChats>0</OngoingChats><Present>${e.Present}</Present><ChatTopics i:nil="true"/></ChatPresence>`
          : `<chatPresence><userId>${e.UserId}</userId><present>${e.Present}</present></chatPresence>`,
      )
      .join("");
    if (variant === 0)
      return wrapped
        ? `<?xml version="1.0" encoding="utf-8"?><Chat_SaveChatPresenceRequest ${DATA_CONTRACT}><ChatPresence>${items}</ChatPresence></Chat_SaveChatPresenceRequest>`
        : `<?xml version="1.0" encoding="utf-8"?><ArrayOfChatPresence ${DATA_CONTRACT}>${items}</ArrayOfChatPresence>`;
    return wrapped
      ? `<request><chatPresence>${items}</chatPresence></request>`
      : `<ArrayOfChatPresence>${items}</ArrayOfChatPresence>`;
  }
  const prefix = wrapped ? (variant === 0 ? "ChatPresence" : "chatPresence") : "";
  return entries
    .flatMap((e, i) =>
      variant === 0
        ? [`${prefix}[${i}][UserId]=${e.UserId}`, `${prefix}[${i}][Present]=${e.Present}`]
        : [`${prefix}[${i}].userId=${e.UserId}`, `${prefix}[${i}].present=${e.Present}`],
    )
    .map((pair) => pair.replace(/[[\]]/g, encodeURIComponent))
    .join("&");
}

describe("request bodies: every content type on both save routes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  for (const type of BODY_TYPES) {
    it(`saves ${type}, with and without charset, in both spellings`, async () => {
      let target = true;
      for (const wrapped of [false, true])
        for (const variant of [0, 1] as const)
          for (const contentType of [type, `${type}; charset=utf-8`]) {
            target = !target;
            // A duplicate for 883 with a different value first: the last one must win.
            const entries = [
              { UserId: 883, Present: !target },
              { UserId: 589, Present: target },
              { UserId: 883, Present: target },
            ];
            const route = wrapped ? ROUTES.saveChat : ROUTES.saveAll;
            const body = encode(type, entries, wrapped, variant);
            const response = await post(server, route, body, { contentType });
            const label = `${route} ${contentType} variant ${variant}: ${body}`;
            assert.equal(response.status, 204, `${label} → ${await response.text()}`);
            const stored = await presentByUser(server);
            assert.deepEqual([stored[883], stored[589]], [target, target], label);
          }
    });
  }

  it("accepts an ISO-8859-1 body decoded by its declared charset", async () => {
    await setPresent(server, [{ UserId: 883, Present: false }]);
    const body = Buffer.from('[{"UserId":883,"Present":true,"DisplayName":"Bjørn"}]', "latin1");
    const response = await server.fetch(ROUTES.saveAll, {
      method: "POST",
      headers: {
        Authorization: "Basic dGplMDpUamUw",
        "Content-Type": "application/json; charset=ISO-8859-1",
      },
      body,
    });
    assert.equal(response.status, 204);
    assert.equal((await presentByUser(server))[883], true);
  });

  it("round-trips GetAll's own XML back into SaveAll", async () => {
    await setPresent(server, [{ UserId: 589, Present: false }]);
    const xml = await (
      await server.fetch(ROUTES.getAll, {
        headers: { Authorization: "Basic dGplMDpUamUw", Accept: "application/xml" },
      })
    ).text();
    const changed = xml.replace(
      /(<UserId>589<\/UserId>.*?<Present>)false(<\/Present>)/,
      "$1true$2",
    );
    assert.notEqual(changed, xml);
    const response = await post(server, ROUTES.saveAll, changed, { contentType: "text/xml" });
    assert.equal(response.status, 204);
    assert.equal((await presentByUser(server))[589], true);
  });
});
