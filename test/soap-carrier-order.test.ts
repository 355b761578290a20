/**
 * The carriers SOAP writes follow the WSDL: every property of each carrier schema (and of the
 * objects inside) is declared by the complex type of the same name, in the same order, since
 * WCF clients read a sequence in order and skip what comes out of it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ASSOCIATE_SCHEMA,
  MDO_LIST_ITEM_SCHEMA,
  TOPIC_AGENT_SCHEMA,
} from "../src/http/carriers/associate.ts";
import { MESSAGE_SCHEMA } from "../src/http/carriers/message.ts";
import { SESSION_SCHEMA } from "../src/http/carriers/session.ts";
import { TOPIC_SCHEMA } from "../src/http/carriers/topic.ts";
import type { ObjectSchema, Schema } from "../src/http/codecs/schema.ts";
import { wsdlDocument } from "../src/http/soap/wsdl.ts";
import { durationOf } from "../src/http/soap/wsdl-types.ts";

/** Every titled object schema inside `schema`, itself included. */
function titled(schema: Schema, found: ObjectSchema[] = []): ObjectSchema[] {
  if (schema.type === "array") return titled(schema.items, found);
  if (schema.type !== "object") return found;
  if (schema.title && !found.includes(schema)) found.push(schema);
  for (const property of Object.values(schema.properties)) titled(property, found);
  return found;
}

describe("SOAP carriers in the WSDL's order", () => {
  const types = wsdlDocument("Services88-Chat.wsdl").types;
  const carriers = [
    TOPIC_SCHEMA,
    SESSION_SCHEMA,
    ASSOCIATE_SCHEMA,
    TOPIC_AGENT_SCHEMA,
    MDO_LIST_ITEM_SCHEMA,
    MESSAGE_SCHEMA,
  ].flatMap((schema) => titled(schema));

  for (const schema of new Set(carriers)) {
    it(`${schema.title}: declared, in sequence order`, () => {
      const declared = types.get(schema.title as string);
      assert.ok(declared, `the WSDL declares ${schema.title}`);
      const order = [...declared.keys()];
      const properties = Object.keys(schema.properties);
      assert.deepEqual(
        properties.filter((p) => !order.includes(p)),
        [],
        "properties the WSDL does not declare",
      );
      assert.deepEqual(
        properties,
        order.filter((p) => properties.includes(p)),
      );
    });
  }

  it("reads element types: durations, date-times, nillable or not", () => {
    const hours = types.get("ChatOpeningHours");
    assert.deepEqual(hours?.get("MonStart"), { type: "duration", nillable: false, list: false });
    assert.deepEqual(types.get("ChatWidgetSettings")?.get("RequiredFields"), {
      type: "WidgetRequiredFields",
      nillable: false,
      list: true,
    });
    assert.deepEqual(types.get("ChatSessionEntity")?.get("WhenStarted"), {
      type: "dateTime",
      nillable: false,
      list: false,
    });
    assert.deepEqual(types.get("ChatSessionEntity")?.get("User"), {
      type: "Associate",
      nillable: true,
      list: false,
    });
  });

  it("writes a TimeSpan as xs:duration", () => {
    assert.equal(durationOf("00:00:00"), "PT0S");
    assert.equal(durationOf("08:00:00"), "PT8H");
    assert.equal(durationOf("17:30:05"), "PT17H30M5S");
    assert.equal(durationOf("00:45:00"), "PT45M");
  });
});
