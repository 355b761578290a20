/**
 * The OData parameters of the session lists: linear-time parsing with a length limit, and only
 * the documented operators. Timings are the best of three tries, so a loaded machine does not
 * fail them, while a quadratic parser (hundreds of ms on these inputs) still does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  MAX_ODATA_LENGTH,
  OPERATORS,
  parseFilter,
  parseOrderBy,
  parseSelect,
} from "../src/http/rest/odata-query.ts";
import { ADMIN, assertError, call } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

/** `+` is a space in a query string: 15,000 of them fit in the 16 KiB request line. */
const spaces = (n: number) => "+".repeat(n);
const LONG = 15_000;

const ADVERSARIAL: [string, string][] = [
  ["$filter", spaces(LONG)],
  ["$filter", `status${spaces(LONG)}eq${spaces(10)}'x'`],
  ["$filter", `status+eq+'x'${spaces(LONG)}`],
  ["$filter", `status+eq+'${"a".repeat(LONG)}`],
  ["$filter", "a".repeat(LONG)],
  ["$filter", "status+eq+1+and+".repeat(900)],
  ["$filter", `${"(".repeat(5000)}status+eq+1${")".repeat(5000)}`],
  ["$filter", "and+".repeat(3500)],
  ["$filter", `status+eq+'${"''".repeat(1200)}'`],
  ["$filter", `status+eq+${"9".repeat(LONG)}`],
  ["$orderBy", spaces(LONG)],
  ["$orderBy", `topicId${spaces(LONG)}desc`],
  ["$orderBy", "topicId,".repeat(1800)],
  ["$select", ",".repeat(LONG)],
  ["$select", `${"chatSessionId,".repeat(1000)}`],
  ["$select", "x".repeat(LONG)],
  ["$top", "9".repeat(LONG)],
  ["$top", spaces(LONG)],
  ["$skip", `${spaces(LONG)}1`],
];

describe("OData parameters", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const list = (query: string) => call(server, ADMIN, "GET", `/api/v1/ChatSession?${query}`);

  it("answers long adversarial inputs each in under 50 ms, with 400 and a registry code", async () => {
    const timings: string[] = [];
    for (const [name, value] of ADVERSARIAL) {
      let best = Infinity;
      let reply = await list(`${name}=${value}`);
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        reply = await list(`${name}=${value}`);
        best = Math.min(best, performance.now() - started);
      }
      const label = `${name}=${value.slice(0, 30)}… (${value.length} chars)`;
      timings.push(`${label}: ${best.toFixed(1)} ms`);
      assert.ok(best < 50, `${label} took ${best.toFixed(1)} ms`);
      assertError(reply, 400, "PRES_ERR_BAD_QUERY");
    }
    console.log(timings.join("\n"));
  });

  it(`refuses a parameter over ${MAX_ODATA_LENGTH} characters and accepts one at it`, async () => {
    const over = `status+eq+'${"a".repeat(MAX_ODATA_LENGTH)}'`;
    assertError(await list(`$filter=${over}`), 400, "PRES_ERR_BAD_QUERY");
    const at = `status+eq+'${"a".repeat(MAX_ODATA_LENGTH - "status eq ''".length)}'`;
    const reply = await list(`$filter=${at}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body.value, []);
  });

  it("keeps the documented grammar: quotes, and, case, order, select", async () => {
    const ids = async (query: string) => {
      const reply = await list(query);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.value.map((row: { PrimaryKey: number }) => row.PrimaryKey);
    };
    assert.deepEqual(await ids("$filter=status+EQ+'UserLast'+AND+topicId+eq+574"), [1]);
    assert.deepEqual(await ids("$filter=customerName+eq+'a+and+b'"), []);
    assert.deepEqual(await ids("$filter=  chatSessionId  ge  2  and  chatSessionId lt 4 "), [2, 3]);
    assert.deepEqual(await ids("$orderBy=topicId+desc,+chatSessionId"), [1, 2, 3, 4]);
    const selected = await list("$select=status,+topicId&$top=1");
    assert.deepEqual(Object.keys(selected.body.value[0]), [
      "PrimaryKey",
      "EntityName",
      "status",
      "topicId",
    ]);
    for (const query of [
      "$filter=status+eq",
      "$filter=status+eq+'open",
      "$filter=status+eq+'x'+or+topicId+eq+1",
      "$filter=status+eq+'x'+and",
      "$orderBy=topicId+sideways",
      "$orderBy=topicId,,status",
      "$select=status+topicId",
    ]) {
      assertError(await list(query), 400, "PRES_ERR_BAD_QUERY");
    }
  });

  it("refuses Object.prototype names as operators with 400, never a 5xx", async () => {
    for (const op of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      assertError(await list(`$filter=status+${op}+1`), 400, "PRES_ERR_BAD_QUERY");
    }
  });

  it("accepts only the documented operators, whatever the word (property test over HTTP)", async () => {
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype);
    const word = fc.oneof(
      fc.constantFrom(...prototypeNames, ...OPERATORS.keys(), "EQ", "Ge", "like", "in", "has"),
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
    );
    await fc.assert(
      fc.asyncProperty(word, async (op) => {
        const reply = await list(`$filter=chatSessionId+${encodeURIComponent(op)}+1`);
        assert.ok(reply.status < 500, `${op}: ${reply.status}`);
        if (OPERATORS.has(op.toLowerCase())) assert.equal(reply.status, 200);
        else assertError(reply, 400, "PRES_ERR_BAD_QUERY");
      }),
      { numRuns: 200 },
    );
  });

  it("takes the length limit as an option (--odata-max-length)", async () => {
    const small = await startTestServer({ odataMaxLength: 20 });
    try {
      const reply = (query: string) => call(small, ADMIN, "GET", `/api/v1/ChatSession?${query}`);
      assert.equal((await reply("$filter=topicId+eq+574")).status, 200);
      assertError(await reply("$filter=topicId+eq+574+and+status+eq+1"), 400, "PRES_ERR_BAD_QUERY");
      assertError(await reply(`$select=${"status,".repeat(4)}`), 400, "PRES_ERR_BAD_QUERY");
    } finally {
      await small.close();
    }
  });

  it("parses in linear time: 20,000-character inputs (10 times the limit) without the length limit", () => {
    const N = 20_000;
    const column = (name: string) => name;
    const cases: [string, () => unknown][] = [
      ["spaces", () => parseFilter(`status${" ".repeat(N)}eq 1`, column, Infinity)],
      ["many ands", () => parseFilter(`${"a eq 1 and ".repeat(N / 11)}a eq 1`, column, Infinity)],
      ["a long word", () => parseFilter(`${"a".repeat(N)} eq 1`, column, Infinity)],
      ["a long string", () => parseFilter(`a eq '${"''".repeat(N / 2)}'`, column, Infinity)],
      ["order by spaces", () => parseOrderBy(`a${" ".repeat(N)}desc`, column, Infinity)],
      ["many columns", () => parseSelect(`${"a,".repeat(N / 2)}a`, column, Infinity)],
    ];
    for (const [label, parse] of cases) {
      let took = Infinity;
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        parse();
        took = Math.min(took, performance.now() - started);
      }
      console.log(`${label}: ${took.toFixed(1)} ms`);
      assert.ok(took < 50, `${label} took ${took.toFixed(1)} ms`);
    }
  });

  it("parses any text without throwing anything but a coded 400 (property test)", () => {
    const column = (name: string) => name;
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "grapheme-ascii" }), (text) => {
        try {
          parseFilter(text, column);
        } catch (error) {
          assert.equal((error as { code?: string }).code, "PRES_ERR_BAD_QUERY", String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
