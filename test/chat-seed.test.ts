/** The import file may give topics a description, welcome message and opening hours. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseSeed, SeedError } from "../src/domain/seed.ts";
import { ADMIN, call } from "./support/chat.ts";
import { startTestServer, type TestServer, testSeed } from "./support/server.ts";

const H = 3600;

describe("import file: topic details", () => {
  it("keeps the old shape valid: a topic with only id and name gets no details", () => {
    const seed = parseSeed({ topics: [{ id: 1, name: "Plain" }] });
    assert.deepEqual(seed.topics, [{ id: 1, name: "Plain" }]);
  });

  it("reads texts and opening hours as day spans in a zone", () => {
    const seed = parseSeed({
      topics: [
        {
          id: 2,
          name: "Desk",
          description: "Front desk",
          welcomeMessage: "Welcome!",
          openingHours: {
            timeZone: "NO",
            mon: "08:00-16:00",
            fri: "09:30-22:00",
            lunch: "11:30-12:00",
          },
        },
      ],
    });
    const [topic] = seed.topics;
    assert.deepEqual(
      [topic.description, topic.welcomeMessage, topic.openingHoursEnabled],
      ["Front desk", "Welcome!", true],
    );
    assert.deepEqual(topic.openingHours?.days.Mon, { enabled: true, start: 8 * H, stop: 16 * H });
    assert.deepEqual(topic.openingHours?.days.Fri, { enabled: true, start: 9.5 * H, stop: 22 * H });
    assert.equal(topic.openingHours?.days.Sat.enabled, false, "a day left out is closed");
    assert.deepEqual(topic.openingHours?.lunch, { enabled: true, start: 11.5 * H, stop: 12 * H });
    const off = parseSeed({
      topics: [{ id: 3, name: "x", openingHours: {}, openingHoursEnabled: false }],
    });
    assert.equal(off.topics[0].openingHoursEnabled, false);
  });

  it("names the place of a mistake", () => {
    const cases: [unknown, RegExp][] = [
      [{ timeZone: "Nowhere/Land" }, /topics\[0\]\.openingHours\.timeZone/],
      [{ tue: "8 to 4" }, /topics\[0\]\.openingHours\.tue/],
      [{ wed: "08:00-26:00" }, /topics\[0\]\.openingHours\.wed/],
      ["always", /topics\[0\]\.openingHours: expected an object/],
    ];
    for (const [openingHours, message] of cases) {
      assert.throws(
        () => parseSeed({ topics: [{ id: 4, name: "x", openingHours }] }),
        (e: unknown) => e instanceof SeedError && message.test(e.message),
        String(message),
      );
    }
    assert.throws(
      () => parseSeed({ topics: [{ id: 4, description: 5 }] }),
      /topics\[0\]\.description/,
    );
  });
});

describe("import file: into a running server", () => {
  let server: TestServer;
  before(async () => {
    const seed = testSeed();
    seed.topics[1] = {
      ...seed.topics[1],
      description: "Help desk",
      openingHoursEnabled: true,
      openingHours: parseSeed({
        topics: [{ id: 574, openingHours: { timeZone: "Europe/Oslo", sun: "10:00-14:00" } }],
      }).topics[0].openingHours,
    };
    server = await startTestServer();
    await server.services.directory.importSeed(seed);
  });
  after(() => server.close());

  it("shows the imported details, and a later import without them keeps them", async () => {
    const before = await call(server, ADMIN, "GET", "/api/v1/ChatTopic/574");
    assert.deepEqual(
      [before.body.Description, before.body.OpeningHoursEnabled, before.body.OpeningHours.SunStart],
      ["Help desk", true, "10:00:00"],
    );
    assert.equal(before.body.OpeningHours.TzLocation.TZLocationCode, "Europe/Oslo");
    await server.services.directory.importSeed(testSeed());
    const after = await call(server, ADMIN, "GET", "/api/v1/ChatTopic/574");
    assert.deepEqual(
      [after.body.Name, after.body.Description, after.body.OpeningHours.SunStop],
      ["Support", "Help desk", "14:00:00"],
    );
  });
});
