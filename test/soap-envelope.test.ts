/**
 * SOAP envelopes: both SOAP versions, headers in either place, default namespaces, the
 * envelope's version over the content type's, charsets and HTTP methods.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testServerSuite } from "./support/server.ts";
import {
  at,
  bodyOf,
  headerOf,
  NS86,
  NS88,
  post,
  presentByUser,
  SOAP11,
  SOAP12,
} from "./support/soap.ts";
import {
  assertFault,
  assertVersion,
  CHAT86,
  CHAT88,
  call,
  contentHeaders,
  envelope,
  SAVE,
} from "./support/soap-envelopes.ts";

describe("SOAP envelopes", () => {
  const suite = testServerSuite({ admin: ["ticket", 1], ocon: ["ticket", 589] });

  for (const version of ["1.1", "1.2"] as const) {
    describe(`SOAP ${version}`, () => {
      it("answers in the request's version, with and without an action", async () => {
        for (const action of [`${NS88}/Chat/GetChatPresence`, undefined]) {
          const reply = await call(
            suite.server,
            CHAT88,
            version,
            envelope(version, "<c:GetChatPresence/>", { ticket: suite.admin }),
            action,
          );
          assert.equal(reply.status, 200, reply.text);
          assertVersion(reply, version);
          assert.equal(headerOf(reply).succeeded, "true");
          assert.equal(at(bodyOf(reply), "Response")?.children.length, 4);
        }
      });

      for (const place of ["header", "envelope"] as const) {
        it(`reads Credentials/Ticket placed in the ${place}`, async () => {
          const xml = envelope(version, SAVE(589, true), { ticket: suite.ocon, place });
          const reply = await call(suite.server, CHAT88, version, xml);
          assert.equal(headerOf(reply).succeeded, "true", reply.text);
          assert.equal((await presentByUser(suite.server))[589], true);
          await call(
            suite.server,
            CHAT88,
            version,
            envelope(version, SAVE(589, false), { ticket: suite.ocon, place }),
          );
          assert.equal((await presentByUser(suite.server))[589], false);
        });
      }

      it("accepts default namespaces and no prefixes at all", async () => {
        const envelopeNs = version === "1.1" ? SOAP11 : SOAP12;
        const xml = `<Envelope xmlns="${envelopeNs}"><Header><Credentials xmlns="${NS86}"><Ticket>${suite.admin}</Ticket></Credentials></Header><Body><IsWithinOpeningHours xmlns="${NS86}"><ChatTopicId>574</ChatTopicId></IsWithinOpeningHours></Body></Envelope>`;
        const reply = await call(suite.server, CHAT86, version, xml);
        assert.equal(headerOf(reply).succeeded, "true", reply.text);
        assert.equal(at(bodyOf(reply), "Response")?.text, "true");
      });

      it("echoes the TimeZone header", async () => {
        const xml = envelope(
          version,
          "<c:IsWithinOpeningHours><c:ChatTopicId>128</c:ChatTopicId></c:IsWithinOpeningHours>",
          { ticket: suite.admin },
        ).replace(
          "</s:Header>",
          "<c:TimeZone><c:SoTimeZoneId>245</c:SoTimeZoneId><c:SoTimeZoneLocationCode>NO</c:SoTimeZoneLocationCode></c:TimeZone></s:Header>",
        );
        const reply = await call(suite.server, CHAT88, version, xml);
        const timeZone = at(reply.envelope, "Header", "TimeZone");
        assert.deepEqual(
          timeZone?.children.map((c) => [c.name, c.text]),
          [
            ["SoTimeZoneId", "245"],
            ["SoTimeZoneLocationCode", "NO"],
          ],
        );
      });
    });
  }

  it("answers an unknown envelope namespace with VersionMismatch in the version of the content type", async () => {
    const xml = `<e:Envelope xmlns:e="http://example.com/not-soap"><e:Body/></e:Envelope>`;
    const eleven = await call(suite.server, CHAT88, "1.1", xml);
    assertFault(eleven, "1.1", "VersionMismatch", 500, /neither SOAP 1.1 nor SOAP 1.2/);
    const twelve = await call(suite.server, CHAT88, "1.2", xml);
    assertFault(twelve, "1.2", "VersionMismatch", 500, /not-soap/);
    const supported = at(twelve.envelope, "Header", "Upgrade")?.children.map(
      (c) => c.attributes.qname,
    );
    assert.deepEqual(supported, ["SOAP-ENV:Envelope", "soap11:Envelope"]);
  });

  it("follows the envelope's version even when the content type says otherwise", async () => {
    const reply = await post(
      suite.server,
      CHAT88,
      envelope("1.2", "<c:GetChatPresence/>", { ticket: suite.admin }),
      {
        "content-type": "text/xml; charset=utf-8",
      },
    );
    assertVersion(reply, "1.2");
    assert.equal(headerOf(reply).succeeded, "true");
  });

  it("answers other content types and an empty body with a Client fault", async () => {
    for (const headers of [{ "content-type": "application/json" }, {}] as Record<
      string,
      string
    >[]) {
      const reply = await post(suite.server, CHAT88, '{"a":1}', headers);
      assertFault(reply, "1.1", "Sender", 500, /Content-Type .* is not supported/);
    }
    assertFault(
      await post(suite.server, CHAT88, "", contentHeaders("1.2")),
      "1.2",
      "Sender",
      400,
      /empty/,
    );
  });

  it("decodes the declared charset and refuses bytes that are not in it", async () => {
    const xml = envelope("1.2", "<c:GetChatPresence/>", { ticket: suite.admin });
    const utf16 = Buffer.from(`\ufeff${xml.replace("utf-8", "utf-16")}`, "utf16le");
    const ok = await post(suite.server, CHAT88, utf16, {
      "content-type": "application/soap+xml; charset=utf-16",
    });
    assert.equal(headerOf(ok).succeeded, "true", ok.text);
    const bad = await post(
      suite.server,
      CHAT88,
      Buffer.from([0x3c, 0xff, 0xfe, 0x3e]),
      contentHeaders("1.2"),
    );
    assertFault(bad, "1.2", "Sender", 400, /not valid utf-8/);
  });

  it("answers other HTTP methods with 405 and Allow", async () => {
    const response = await suite.server.fetch(CHAT88, { method: "PUT" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, POST");
  });
});
