/**
 * Issue 4: opening hours. The rule around the 2026 daylight-saving switches in Oslo (29 March
 * and 25 October) and New York, then the same answer from REST IsOpen, Agents
 * IsWithinOpeningHours and SOAP IsWithinOpeningHours with the clock set to those instants.
 */
import assert from "node:assert/strict";
import { after, before, describe, it, mock } from "node:test";
import type { PresenceError } from "../src/domain/errors.ts";
import {
  defaultOpeningHours,
  findTimeZone,
  formatTimeOfDay,
  isOpenAt,
  type OpeningHours,
  parseTimeOfDay,
  timeZoneCode,
  WEEKDAYS,
} from "../src/domain/opening-hours.ts";
import { ADMIN, agents, assertError, call, KUHN } from "./support/chat.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const H = 3600;

/** Every day open 08:00-16:00 in a zone. */
function everyDay(timeZone: string): OpeningHours {
  const hours = defaultOpeningHours();
  for (const day of WEEKDAYS) hours.days[day] = { enabled: true, start: 8 * H, stop: 16 * H };
  return { ...hours, timeZone };
}

const open = (hours: OpeningHours, iso: string) => isOpenAt(true, hours, new Date(iso));

describe("opening hours rule", () => {
  it("follows Oslo into summer time on 2026-03-29 (CET → CEST at 01:00 UTC)", () => {
    const oslo = everyDay("Europe/Oslo");
    assert.equal(open(oslo, "2026-03-28T07:30:00Z"), true, "Saturday 08:30 CET");
    assert.equal(open(oslo, "2026-03-28T06:30:00Z"), false, "Saturday 07:30 CET");
    assert.equal(
      open(oslo, "2026-03-29T06:30:00Z"),
      true,
      "Sunday 08:30 CEST (a fixed +1 would say 07:30)",
    );
    assert.equal(open(oslo, "2026-03-29T05:59:59Z"), false, "Sunday 07:59:59 CEST");
    assert.equal(open(oslo, "2026-03-29T13:59:59Z"), true, "Sunday 15:59:59 CEST");
    assert.equal(
      open(oslo, "2026-03-29T14:00:00Z"),
      false,
      "Sunday 16:00 CEST: closed at the stop",
    );
  });

  it("follows Oslo back to winter time on 2026-10-25 (CEST → CET at 01:00 UTC)", () => {
    const oslo = everyDay("NO");
    assert.equal(open(oslo, "2026-10-24T06:30:00Z"), true, "Saturday 08:30 CEST");
    assert.equal(
      open(oslo, "2026-10-25T06:30:00Z"),
      false,
      "Sunday 07:30 CET (CEST would say 08:30)",
    );
    assert.equal(open(oslo, "2026-10-25T07:00:00Z"), true, "Sunday 08:00 CET");
    assert.equal(open(oslo, "2026-10-25T14:59:00Z"), true, "Sunday 15:59 CET");
    assert.equal(open(oslo, "2026-10-25T15:00:00Z"), false, "Sunday 16:00 CET");
  });

  it("follows New York's switch on 2026-03-08 through the US-NY code", () => {
    const ny = everyDay("US-NY");
    assert.equal(open(ny, "2026-03-07T13:30:00Z"), true, "Saturday 08:30 EST");
    assert.equal(open(ny, "2026-03-08T12:30:00Z"), true, "Sunday 08:30 EDT");
    assert.equal(open(ny, "2026-03-08T11:30:00Z"), false, "Sunday 07:30 EDT");
  });

  it("uses the local weekday, not the UTC one", () => {
    const tokyo = defaultOpeningHours();
    tokyo.timeZone = "Asia/Tokyo";
    assert.equal(
      isOpenAt(true, tokyo, new Date("2026-03-29T23:30:00Z")),
      true,
      "Monday 08:30 in Tokyo",
    );
    assert.equal(
      isOpenAt(true, tokyo, new Date("2026-03-27T23:30:00Z")),
      false,
      "Saturday 08:30 in Tokyo",
    );
  });

  it("runs a span past midnight into the next day, and closes for lunch", () => {
    const hours = defaultOpeningHours();
    hours.timeZone = "UTC";
    hours.days.Fri = { enabled: true, start: 22 * H, stop: 2 * H };
    assert.equal(open(hours, "2026-03-27T23:00:00Z"), true, "Friday 23:00");
    assert.equal(open(hours, "2026-03-28T01:30:00Z"), true, "Saturday 01:30, Friday's span");
    assert.equal(open(hours, "2026-03-28T02:00:00Z"), false, "Saturday 02:00");
    hours.lunch = { enabled: true, start: 11 * H + 1800, stop: 12 * H };
    assert.equal(open(hours, "2026-03-26T11:45:00Z"), false, "Thursday lunch");
    assert.equal(open(hours, "2026-03-26T12:00:00Z"), true, "after lunch");
    assert.equal(isOpenAt(false, hours, new Date("2026-03-29T03:00:00Z")), true, "hours off: open");
  });

  it("reads times as HH:mm, HH:mm:ss, TimeSpan, ISO 8601 durations and date-times", () => {
    assert.equal(parseTimeOfDay("f", "08:30"), 8 * H + 1800);
    assert.equal(parseTimeOfDay("f", "08:30:15.0000000"), 8 * H + 1815);
    assert.equal(parseTimeOfDay("f", "0.17:00:00"), 17 * H);
    assert.equal(parseTimeOfDay("f", "PT17H30M"), 17 * H + 1800);
    assert.equal(parseTimeOfDay("f", "2026-01-01T09:15:00"), 9 * H + 900);
    assert.equal(parseTimeOfDay("f", "24:00"), 0, "the end of the day");
    assert.equal(parseTimeOfDay("f", null), 0);
    assert.equal(formatTimeOfDay(8 * H + 1815), "08:30:15");
    for (const bad of ["8", "25:00", "12:60", "PT", "noon", "24:01"]) {
      assert.throws(
        () => parseTimeOfDay("f", bad),
        (e: unknown) => (e as PresenceError).code === "PRES_ERR_BAD_TIME",
        bad,
      );
    }
  });

  it("maps SuperOffice codes and IANA names, and refuses others", () => {
    assert.equal(findTimeZone("no")?.iana, "Europe/Oslo");
    assert.equal(findTimeZone("")?.iana, "UTC");
    assert.equal(findTimeZone("America/Sao_Paulo")?.iana, "America/Sao_Paulo");
    assert.equal(findTimeZone("Mars/Base"), null);
    assert.equal(timeZoneCode("f", null, 2), "NO", "by id when no code is given");
    assert.throws(
      () => timeZoneCode("f", "XX-YY", 0),
      (e: unknown) => (e as PresenceError).code === "PRES_ERR_BAD_TIME_ZONE",
    );
  });
});

describe("IsOpen / IsWithinOpeningHours on every protocol", () => {
  let server: TestServer;
  let topicId: number;
  before(async () => {
    server = await startTestServer();
    const days = Object.fromEntries(
      WEEKDAYS.flatMap((d) => [
        [`${d}Enabled`, true],
        [`${d}Start`, "08:00:00"],
        [`${d}Stop`, "16:00:00"],
      ]),
    );
    const created = await call(server, ADMIN, "POST", "/api/v1/ChatTopic", {
      Name: "Oslo desk",
      OpeningHoursEnabled: true,
      OpeningHours: { TzLocation: { TZLocationCode: "Europe/Oslo" }, ...days },
    });
    topicId = created.body.ChatTopicId;
    await call(server, ADMIN, "POST", `/api/v1/ChatTopic/${topicId}/UserAgent`, {
      User: { UserName: "kuhn" },
      CanListen: true,
    });
  });
  after(async () => {
    mock.timers.reset();
    await server.close();
  });

  async function soapIsOpen(id: number): Promise<string> {
    const ticket = await server.services.auth.issue("ticket", 1);
    const ns = "http://www.superoffice.net/ws/crm/NetServer/Services88";
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><Credentials xmlns="${ns}"><Ticket>${ticket}</Ticket></Credentials></s:Header><s:Body><IsWithinOpeningHours xmlns="${ns}"><ChatTopicId>${id}</ChatTopicId></IsWithinOpeningHours></s:Body></s:Envelope>`;
    const response = await server.fetch("/Remote/Services88/Chat.svc", {
      method: "POST",
      headers: { "content-type": "application/soap+xml; charset=utf-8" },
      body: xml,
    });
    return /<[\w:]*Response[^>]*>(true|false)</.exec(await response.text())?.[1] ?? "no answer";
  }

  async function allAnswers(at: string) {
    mock.timers.enable({ apis: ["Date"], now: new Date(at) });
    try {
      const rest = await call(server, KUHN, "GET", `/api/v1/ChatTopic/${topicId}/IsOpen`);
      const agent = await agents(server, KUHN, "IsWithinOpeningHours", { ChatTopicId: topicId });
      return [rest.body, agent.body, await soapIsOpen(topicId)];
    } finally {
      mock.timers.reset();
    }
  }

  it("agree on the Sunday DST starts in Oslo", async () => {
    assert.deepEqual(await allAnswers("2026-03-29T06:30:00Z"), [true, true, "true"]);
    assert.deepEqual(await allAnswers("2026-03-29T05:30:00Z"), [false, false, "false"]);
  });

  it("agree on the Sunday DST ends in Oslo", async () => {
    assert.deepEqual(await allAnswers("2026-10-25T06:30:00Z"), [false, false, "false"]);
    assert.deepEqual(await allAnswers("2026-10-25T07:30:00Z"), [true, true, "true"]);
  });

  it("a topic without hours is open; an unknown topic is 404 on REST, false elsewhere", async () => {
    assert.equal((await call(server, KUHN, "GET", "/api/v1/ChatTopic/128/IsOpen")).body, true);
    assertError(
      await call(server, KUHN, "GET", "/api/v1/ChatTopic/999/IsOpen"),
      404,
      "PRES_ERR_NO_TOPIC",
    );
    assert.equal(
      (await agents(server, KUHN, "IsWithinOpeningHours", { ChatTopicId: 999 })).body,
      false,
    );
    assert.equal(await soapIsOpen(999), "false");
    assertError(
      await call(server, KUHN, "GET", "/api/v1/ChatTopic/x/IsOpen"),
      400,
      "PRES_ERR_BAD_PATH",
    );
  });
});
