/**
 * `SO-Language: nb` answers are wholly Norwegian: no English detail is appended to a Norwegian
 * message, in the registry itself and in representative REST and SOAP answers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { ERRORS, type ErrorCode, formatMessage, localized } from "../src/domain/errors.ts";
import { assertError, call } from "./support/chat.ts";
import { basic, startTestServer, type TestServer } from "./support/server.ts";
import { at, faultOf, NS88, post, SOAP12, type SoapReply } from "./support/soap.ts";

/** English words that no Norwegian message here contains, once quoted input is taken out. */
const ENGLISH = new Set(
  "the is not or and of to an expected got wrong required cannot unknown valid empty password username sign than more has are be must this with does its your was were".split(
    " ",
  ),
);

function englishWordsIn(message: string): string[] {
  const unquoted = message.replace(/«[^»]*»|"[^"]*"|'[^']*'|<[^>]*>/g, " ");
  return unquoted
    .toLowerCase()
    .split(/[^a-zæøå]+/)
    .filter((word) => ENGLISH.has(word));
}

const ENGLISH_DETAIL = "wrong username or password";

describe("SO-Language nb: the registry", () => {
  it("leaves an English detail out of every Norwegian message, and keeps every other value", () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const names = [...ERRORS[code].en.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = Object.fromEntries(
        names.map((name) => [name, name === "detail" ? ENGLISH_DETAIL : `«V_${name}»`]),
      );
      const nb = formatMessage(code, params, "nb");
      const en = formatMessage(code, params, "en");
      assert.notEqual(nb, en, code);
      assert.ok(!nb.includes(ENGLISH_DETAIL), `${code}: ${nb}`);
      assert.deepEqual(englishWordsIn(nb), [], `${code}: ${nb}`);
      for (const name of names.filter((n) => n !== "detail"))
        assert.ok(nb.includes(`«V_${name}»`), `${code} lost {${name}}: ${nb}`);
      if (names.includes("detail")) {
        assert.ok(en.endsWith(`: ${ENGLISH_DETAIL}`), `${code}: ${en}`);
        assert.ok(!nb.endsWith(": "), `${code} ends in a dangling colon: ${nb}`);
        const both = formatMessage(
          code,
          { ...params, detail: localized("in English", "på norsk") },
          "nb",
        );
        assert.ok(both.endsWith(": på norsk"), `${code}: ${both}`);
      }
    }
  });
});

describe("SO-Language nb: representative answers", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const ADMIN = basic("tje0", "Tje0");
  const rest: [string, string, string, unknown?, Record<string, string>?][] = [
    ["no credentials", "", "GET /api/v1/Presence/GetAll"],
    ["a wrong password", basic("tje0", "nope"), "GET /api/v1/Presence/GetAll"],
    ["an unknown ticket", "SoTicket 7T:nope", "GET /api/v1/Presence/GetAll"],
    ["a malformed scheme", "Digest x", "GET /api/v1/Presence/GetAll"],
    ["malformed JSON", ADMIN, "POST /api/v1/Presence/SaveAll", "{nope"],
    [
      "malformed XML",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "<a><b></a>",
      { "Content-Type": "application/xml" },
    ],
    ["a wrong type", ADMIN, "POST /api/v1/Presence/SaveAll", [{ UserId: "x" }]],
    [
      "an empty body",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "",
      { "Content-Type": "application/json" },
    ],
    ["an unknown user", ADMIN, "POST /api/v1/Presence/SaveAll", [{ UserId: 4242, Present: true }]],
    ["a bad $top", ADMIN, "GET /api/v1/ChatSession?$top=lots"],
    ["an unknown column", ADMIN, "GET /api/v1/ChatSession?$filter=colour+eq+1"],
    ["an unknown operator", ADMIN, "GET /api/v1/ChatSession?$filter=status+__proto__+1"],
    ["a long $filter", ADMIN, `GET /api/v1/ChatSession?$filter=${"a".repeat(3000)}`],
    ["a bad path id", ADMIN, "GET /api/v1/ChatTopic/abc"],
    ["an unknown route", ADMIN, "GET /api/v1/Nope"],
    ["a wrong verb", ADMIN, "DELETE /api/v1/Presence/GetAll"],
    [
      "an unknown media type",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "x",
      { "Content-Type": "text/csv" },
    ],
    [
      "an unknown encoding",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "[]",
      { "Content-Type": "application/json", "Content-Encoding": "br" },
    ],
    [
      "a body that is not gzip",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "[]",
      { "Content-Type": "application/json", "Content-Encoding": "gzip" },
    ],
    [
      "an invalid charset",
      ADMIN,
      "POST /api/v1/Presence/SaveAll",
      "[]",
      { "Content-Type": "application/json; charset=nope" },
    ],
  ];

  for (const [name, auth, route, body, headers = {}] of rest) {
    it(`REST: ${name}`, async () => {
      const [method, path] = route.split(" ");
      const answer = (language: string) =>
        call(server, auth, method, path, body, { ...headers, "SO-Language": language });
      const [nb, en] = [await answer("nb"), await answer("en")];
      assert.equal(nb.body?.Error, true, JSON.stringify(nb.body));
      assertError(nb, en.status, en.body.ErrorCode);
      assert.notEqual(nb.body.ErrorMessage, en.body.ErrorMessage);
      assert.deepEqual(englishWordsIn(nb.body.ErrorMessage), [], nb.body.ErrorMessage);
      assert.equal(nb.body.Message, nb.body.ErrorMessage);
    });
  }

  const soap = (inner: string, header = "") =>
    `<s:Envelope xmlns:s="${SOAP12}"><s:Header>${header}</s:Header><s:Body>${inner}</s:Body></s:Envelope>`;
  const soapCases: [string, string, string, Record<string, string>?][] = [
    ["a malformed envelope", "/Remote/Services88/Chat.svc", "<s:Envelope"],
    ["no Envelope", "/Remote/Services88/Chat.svc", "<Nope/>"],
    ["an empty Body", "/Remote/Services88/Chat.svc", soap("")],
    ["no ticket", "/Remote/Services88/Chat.svc", soap(`<GetChatPresence xmlns="${NS88}"/>`)],
    [
      "an unknown ticket",
      "/Remote/Services88/Chat.svc",
      soap(
        `<GetChatPresence xmlns="${NS88}"/>`,
        "<Credentials><Ticket>7T:nope</Ticket></Credentials>",
      ),
    ],
    ["an unknown operation", "/Remote/Services88/Chat.svc", soap(`<Nope xmlns="${NS88}"/>`)],
    ["a DOCTYPE", "/Remote/Services88/Chat.svc", `<!DOCTYPE x>${soap("<x/>")}`],
    [
      "a body that is not gzip",
      "/Remote/Services88/Chat.svc",
      soap("<x/>"),
      { "content-encoding": "gzip" },
    ],
  ];
  for (const [name, url, envelope, extra = {}] of soapCases) {
    it(`SOAP: ${name}`, async () => {
      const answer = (language: string) =>
        post(server, url, envelope, {
          "content-type": "application/soap+xml; charset=utf-8",
          "so-language": language,
          ...extra,
        });
      const [nb, en] = [await answer("nb"), await answer("en")];
      // A Fault's reason, or else ExceptionInfo's Message.
      const message = (reply: SoapReply) =>
        (at(reply.envelope, "Body", "Fault") ? faultOf(reply).reason : undefined) ??
        at(reply.envelope, "Header", "ExceptionInfo", "Message")?.text ??
        "";
      assert.ok(message(en) !== "", en.text);
      assert.notEqual(message(nb), message(en));
      assert.deepEqual(englishWordsIn(message(nb)), [], message(nb));
    });
  }

  it("a gzip body is decoded before the language matters (sanity)", async () => {
    const reply = await server.fetch("/api/v1/Presence/SaveAll", {
      method: "POST",
      headers: {
        Authorization: ADMIN,
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "SO-Language": "nb",
      },
      body: new Uint8Array(gzipSync("[]")),
    });
    assert.equal(reply.status, 204);
  });
});
