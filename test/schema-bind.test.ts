/**
 * The body binder: lenient like SuperOffice's .NET binder, and when a value cannot be bound the
 * message names exactly where, however deep (paths are only spelled out on failure).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import { CHAT_PRESENCE_SCHEMA, readPresenceUpdates } from "../src/http/carriers/presence.ts";
import { BindError, bind, type Schema } from "../src/http/codecs/schema.ts";
import { parseXml } from "../src/http/codecs/xml.ts";

const LIST: Schema = { type: "array", items: CHAT_PRESENCE_SCHEMA };
const WRAPPED: Schema = {
  type: "object",
  properties: { ChatPresence: LIST, Owner: CHAT_PRESENCE_SCHEMA },
};

function failure(value: unknown, schema: Schema, path?: string): string {
  try {
    bind(value, schema, path);
  } catch (error) {
    assert.ok(error instanceof BindError);
    return error.message;
  }
  assert.fail("bound without an error");
}

describe("binding request bodies", () => {
  it("matches names case-insensitively, ignores unknown ones and fills .NET defaults", () => {
    assert.deepEqual(bind({ userid: 5, PRESENT: true, Extra: "x" }, CHAT_PRESENCE_SCHEMA), {
      UserId: 5,
      DisplayName: null,
      OngoingChats: 0,
      Present: true,
      ChatTopics: null,
    });
  });

  it("names the failing value at every depth", () => {
    assert.equal(failure("x", CHAT_PRESENCE_SCHEMA), "body: expected an object");
    assert.equal(failure({ UserId: "one" }, CHAT_PRESENCE_SCHEMA), "UserId: expected an integer");
    assert.equal(failure({ UserId: null }, CHAT_PRESENCE_SCHEMA), "UserId: expected an integer");
    assert.equal(failure([{}, { Present: 1.5 }], LIST), "[1].Present: expected true or false");
    assert.equal(
      failure([{ ChatTopics: [1, 2, "3x"] }], LIST),
      "[0].ChatTopics[2]: expected an integer",
    );
    assert.equal(
      failure({ ChatPresence: [{}, {}, { UserId: 2 ** 31 }] }, WRAPPED),
      "ChatPresence[2].UserId: expected an integer in the 32-bit range",
    );
    assert.equal(
      failure({ Owner: { DisplayName: 7 } }, WRAPPED),
      "Owner.DisplayName: expected a string",
    );
    assert.equal(
      failure({ ChatTopics: 3 }, CHAT_PRESENCE_SCHEMA, "Item"),
      "Item.ChatTopics: expected an array",
    );
  });

  it("a bad save entry is named by index, UserId and path", () => {
    const entries = [
      { UserId: 1, Present: true },
      { UserId: 7, Present: "maybe" },
    ];
    assert.throws(
      () => readPresenceUpdates(entries, "ChatPresence"),
      (error: unknown) =>
        error instanceof PresenceError &&
        error.code === "PRES_ERR_BAD_ENTRY" &&
        error.params.index === 1 &&
        error.params.userId === "7" &&
        error.params.detail === "ChatPresence[1].Present: expected true or false",
    );
  });

  it("reads XML booleans as XML Schema does: true, false, 1, 0, white space around", () => {
    const present = (text: string) =>
      (
        bind(
          parseXml(`<ChatPresence><Present>${text}</Present></ChatPresence>`),
          CHAT_PRESENCE_SCHEMA,
        ) as {
          Present: boolean;
        }
      ).Present;
    for (const [text, value] of [
      ["true", true],
      ["false", false],
      ["1", true],
      ["0", false],
      [" \t\r\n1\n ", true],
      ["\nfalse\t", false],
    ] as const)
      assert.equal(present(text), value, JSON.stringify(text));
    for (const text of ["TRUE", "True", "FALSE", "yes", "no", "01", "-0", "+1", "", "t", "1 0"]) {
      const xml = parseXml(`<ChatPresence><Present>${text}</Present></ChatPresence>`);
      assert.equal(
        failure(xml, CHAT_PRESENCE_SCHEMA, "Item"),
        "Item.Present: expected true, false, 1 or 0",
        JSON.stringify(text),
      );
    }
    // XML's white space only: a no-break space is not XML white space.
    assert.throws(() => present("\u00a0true"), BindError);
  });

  it("reads JSON booleans as Newtonsoft.Json does: integers too, 0 false, others true", () => {
    const present = (value: unknown) =>
      (bind({ Present: value }, CHAT_PRESENCE_SCHEMA) as { Present: boolean }).Present;
    assert.deepEqual([1, 0, -1, 2, 2 ** 40, true, false, "true", "False"].map(present), [
      true,
      false,
      true,
      true,
      true,
      true,
      false,
      true,
      false,
    ]);
    for (const value of [0.5, "1", "0", "yes", null, [], {}])
      assert.equal(
        failure({ Present: value }, CHAT_PRESENCE_SCHEMA),
        "Present: expected true or false",
        JSON.stringify(value),
      );
  });
});
