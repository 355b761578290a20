/**
 * Response format from Accept: a plain type answers at once, lists are weighed by q, and names
 * that are no media type we serve (even ones an object has as properties) mean JSON.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { negotiate } from "../src/http/codecs/negotiate.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const XML_TYPE = "application/xml; charset=utf-8";

describe("content negotiation", () => {
  it("answers a plain type, in any case, with its own content type", () => {
    assert.equal(negotiate("application/xml").contentType, XML_TYPE);
    assert.equal(negotiate("Application/XML").contentType, XML_TYPE);
    assert.equal(negotiate("text/xml").contentType, "text/xml; charset=utf-8");
    assert.equal(negotiate("application/json").contentType, JSON_TYPE);
    assert.equal(negotiate(undefined).contentType, JSON_TYPE);
  });

  it("weighs a list by q, the earliest winning ties", () => {
    assert.equal(negotiate("application/json;q=0.5, application/xml").format, "xml");
    assert.equal(negotiate("application/xml;q=0.4, */*;q=0.9").format, "json");
    assert.equal(negotiate("application/xml, application/json").format, "xml");
    assert.equal(negotiate("application/xml;q=0").format, "json");
  });

  it("means JSON for names it does not serve, prototype names included", () => {
    for (const accept of ["constructor", "toString", "__proto__", "image/png", "x, hasOwnProperty"])
      assert.deepEqual(negotiate(accept), { format: "json", contentType: JSON_TYPE }, accept);
  });
});
