/**
 * Content-Encoding of request bodies: gzip and deflate are decoded (REST and SOAP), the body
 * limit counts the decoded bytes (a zip bomb is a 413 after one limit's worth of inflating),
 * anything else is a 415 with a registry code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { ADMIN, assertError } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { faultOf, NS88, post, SOAP12 } from "./support/soap.ts";

const SAVE = "/api/v1/Presence/SaveAll";
const BODY_LIMIT = 1024 * 1024;

describe("Content-Encoding", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const send = async (body: Buffer, encoding: string, type = "application/json") => {
    const response = await server.fetch(SAVE, {
      method: "POST",
      headers: { Authorization: ADMIN, "Content-Type": type, "Content-Encoding": encoding },
      body: new Uint8Array(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
    };
  };
  const present = async (userId: number) =>
    (await server.store.listPresence()).find((p) => p.UserId === userId)?.Present;

  it("decodes gzip, x-gzip and deflate bodies (JSON, XML and form)", async () => {
    const json = (present: boolean) => JSON.stringify([{ UserId: 589, Present: present }]);
    assert.equal((await send(gzipSync(json(true)), "gzip")).status, 204);
    assert.equal(await present(589), true);
    assert.equal((await send(deflateSync(json(false)), "deflate")).status, 204);
    assert.equal(await present(589), false);
    assert.equal((await send(gzipSync(json(true)), "X-GZIP")).status, 204);
    assert.equal(await present(589), true);
    const xml = `<ArrayOfChatPresence xmlns="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"><ChatPresence><UserId>883</UserId><Present>true</Present></ChatPresence></ArrayOfChatPresence>`;
    assert.equal((await send(gzipSync(xml), "gzip", "application/xml")).status, 204);
    assert.equal(await present(883), true);
    const form = "[0][UserId]=883&[0][Present]=false";
    const reply = await send(deflateSync(form), "deflate", "application/x-www-form-urlencoded");
    assert.equal(reply.status, 204, JSON.stringify(reply.body));
    assert.equal(await present(883), false);
    assert.equal((await send(Buffer.from(json(false)), "identity")).status, 204);
  });

  it("refuses other encodings with 415 PRES_ERR_ENCODING, before reading the body", async () => {
    for (const encoding of ["br", "compress", "gzip, gzip", "zstd"]) {
      const reply = await send(brotliCompressSync("[]"), encoding);
      assertError(reply, 415, "PRES_ERR_ENCODING");
      assert.match(reply.body.ErrorMessage, /gzip, deflate, identity/);
    }
  });

  it("answers a body that is not what its encoding says with 400, not 'not valid UTF-8'", async () => {
    const reply = await send(Buffer.from("[]"), "gzip");
    assertError(reply, 400, "PRES_ERR_BAD_BODY");
    assert.match(reply.body.ErrorMessage, /Content-Encoding/);
    assertError(await send(gzipSync("[]").subarray(0, 12), "gzip"), 400, "PRES_ERR_BAD_BODY");
  });

  it("counts the limit after decoding: a zip bomb is 413 and is not inflated past the limit", async () => {
    const bomb = gzipSync(Buffer.alloc(512 * BODY_LIMIT, " ")); // 512 MiB of spaces, ~500 KiB
    assert.ok(bomb.length < BODY_LIMIT);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const reply = await send(bomb, "gzip");
    const took = performance.now() - started;
    assertError(reply, 413, "PRES_ERR_TOO_LARGE");
    const grown = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    console.log(
      `bomb of ${bomb.length} bytes: 413 after ${took.toFixed(0)} ms, RSS +${grown.toFixed(0)} MiB`,
    );
    // Inflating all 512 MiB takes seconds; stopping at the limit takes milliseconds.
    assert.ok(took < 1000, `${took.toFixed(0)} ms`);
    assert.ok(grown < 64, `RSS grew ${grown.toFixed(0)} MiB`);
    const atLimit = gzipSync(`[${" ".repeat(BODY_LIMIT - 2)}]`);
    assert.equal((await send(atLimit, "gzip")).status, 204, "exactly the limit is accepted");
  });

  it("decodes SOAP envelopes too, and answers a SOAP zip bomb or unknown encoding with a fault", async () => {
    const envelope = `<s:Envelope xmlns:s="${SOAP12}"><s:Body><AuthenticateUsernamePassword xmlns="${NS88}"><UserName>tje0</UserName><Password>Tje0</Password></AuthenticateUsernamePassword></s:Body></s:Envelope>`;
    const headers = (encoding: string) => ({
      "content-type": "application/soap+xml; charset=utf-8",
      "content-encoding": encoding,
    });
    const url = "/Remote/Services88/SoPrincipal.svc";
    const signedIn = await post(server, url, gzipSync(envelope), headers("gzip"));
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.match(signedIn.text, /<[^>]*AuthenticationSucceeded>true</);
    const bomb = await post(
      server,
      url,
      gzipSync(Buffer.alloc(64 * BODY_LIMIT, " ")),
      headers("gzip"),
    );
    assert.equal(bomb.status, 400);
    assert.match(faultOf(bomb).reason ?? "", /larger than the limit/);
    const unknown = await post(server, url, brotliCompressSync(envelope), headers("br"));
    assert.equal(unknown.status, 400);
    assert.match(faultOf(unknown).reason ?? "", /Content-Encoding br is not supported/);
  });
});
