/**
 * The opening-hours rule (src/domain/opening-hours.ts), pure: local weekday and time through
 * daylight-saving changes, spans past midnight, whole days, lunch, zone lookup, time parsing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PresenceError } from "../src/domain/errors.ts";
import {
  type DayHours,
  defaultOpeningHours,
  findTimeZone,
  formatTimeOfDay,
  isOpenAt,
  type OpeningHours,
  parseTimeOfDay,
  timeZoneCode,
  WEEKDAYS,
  type Weekday,
} from "../src/domain/opening-hours.ts";

const H = 3600;

/** Every day open 08:00-16:00 in a zone. */
function everyDay(timeZone: string): OpeningHours {
  const hours = defaultOpeningHours();
  for (const day of WEEKDAYS) hours.days[day] = { enabled: true, start: 8 * H, stop: 16 * H };
  return { ...hours, timeZone };
}

/** Closed every day but the ones given, in a zone. */
function only(timeZone: string, days: Partial<Record<Weekday, DayHours>>): OpeningHours {
  const hours = defaultOpeningHours();
  for (const day of WEEKDAYS) hours.days[day] = { enabled: false, start: 0, stop: 0 };
  return { ...hours, timeZone, days: { ...hours.days, ...days } };
}

const span = (start: number, stop: number): DayHours => ({ enabled: true, start, stop });
const open = (hours: OpeningHours, iso: string) => isOpenAt(true, hours, new Date(iso));
const coded = (code: string, params?: object) => (error: unknown) =>
  error instanceof PresenceError &&
  error.code === code &&
  (params === undefined || JSON.stringify(error.params) === JSON.stringify(params));

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
describe("opening hours: spans at and past midnight", () => {
  it("carries Sunday's late span into Monday morning (the week wraps)", () => {
    const hours = only("UTC", { Sun: span(22 * H, 2 * H) });
    assert.equal(open(hours, "2026-03-29T21:59:59Z"), false, "Sunday 21:59:59");
    assert.equal(open(hours, "2026-03-29T22:00:00Z"), true, "Sunday 22:00");
    assert.equal(open(hours, "2026-03-30T01:59:59Z"), true, "Monday 01:59:59, Sunday's span");
    assert.equal(open(hours, "2026-03-30T02:00:00Z"), false, "Monday 02:00");
    assert.equal(open(hours, "2026-03-23T01:00:00Z"), true, "the Monday a week before as well");
  });

  it("spills only from an enabled day, whatever the next day says", () => {
    const hours = only("UTC", {
      Sat: { enabled: false, start: 22 * H, stop: 2 * H },
      Sun: span(8 * H, 16 * H),
    });
    assert.equal(open(hours, "2026-03-29T01:00:00Z"), false, "Sunday 01:00: Saturday is off");
    assert.equal(open(hours, "2026-03-29T09:00:00Z"), true, "Sunday's own hours");
  });

  it("opens a whole day when start equals stop, without spilling into the next", () => {
    for (const at of [0, 8 * H]) {
      const hours = only("UTC", { Tue: span(at, at) });
      assert.equal(open(hours, "2026-03-31T00:00:00Z"), true, `Tuesday 00:00 (span at ${at})`);
      assert.equal(open(hours, "2026-03-31T03:00:00Z"), true, `Tuesday 03:00 (span at ${at})`);
      assert.equal(open(hours, "2026-03-31T23:59:59Z"), true, `Tuesday 23:59:59 (span at ${at})`);
      assert.equal(open(hours, "2026-04-01T00:00:00Z"), false, `Wednesday 00:00 (span at ${at})`);
      assert.equal(open(hours, "2026-03-30T23:59:59Z"), false, `Monday 23:59:59 (span at ${at})`);
    }
  });

  it("reads a stop of 24:00 (stored as 0) as the end of that day", () => {
    const hours = only("UTC", { Mon: span(20 * H, parseTimeOfDay("stop", "24:00")) });
    assert.equal(open(hours, "2026-03-30T19:59:59Z"), false, "Monday 19:59:59");
    assert.equal(open(hours, "2026-03-30T20:00:00Z"), true, "Monday 20:00");
    assert.equal(open(hours, "2026-03-30T23:59:59Z"), true, "Monday 23:59:59");
    assert.equal(open(hours, "2026-03-31T00:00:00Z"), false, "Tuesday 00:00");
  });

  it("closes for lunch on the minute, ignores an empty or inverted lunch, never opens a closed day", () => {
    const hours = everyDay("UTC");
    hours.lunch = { enabled: true, start: 11 * H + 1800, stop: 12 * H };
    assert.equal(open(hours, "2026-03-26T11:29:59Z"), true);
    assert.equal(open(hours, "2026-03-26T11:30:00Z"), false);
    assert.equal(open(hours, "2026-03-26T11:59:59Z"), false);
    assert.equal(open(hours, "2026-03-26T12:00:00Z"), true);
    hours.lunch = { enabled: true, start: 12 * H, stop: 11 * H };
    assert.equal(open(hours, "2026-03-26T11:45:00Z"), true, "an inverted lunch is no lunch");
    hours.lunch = { enabled: false, start: 11 * H, stop: 13 * H };
    assert.equal(open(hours, "2026-03-26T12:00:00Z"), true, "a disabled lunch is no lunch");
    const closed = only("UTC", {});
    assert.equal(open(closed, "2026-03-26T12:00:00Z"), false, "every day off: never open");
    assert.equal(isOpenAt(false, closed, new Date("2026-03-26T12:00:00Z")), true, "hours off");
  });
});

describe("opening hours: daylight-saving change days", () => {
  it("a night span into the spring-forward night in Oslo is an hour shorter", () => {
    // 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    const hours = only("NO", { Sat: span(22 * H, 3 * H) });
    assert.equal(open(hours, "2026-03-28T21:00:00Z"), true, "Saturday 22:00 CET");
    assert.equal(open(hours, "2026-03-29T00:59:59Z"), true, "Sunday 01:59:59 CET");
    assert.equal(open(hours, "2026-03-29T01:00:00Z"), false, "Sunday 03:00 CEST: closed");
  });

  it("the hour Oslo repeats in autumn is open both times when the span covers it", () => {
    // 2026-10-25 01:00 UTC: 03:00 CEST becomes 02:00 CET, so 02:00-03:00 comes twice.
    const hours = only("Europe/Oslo", { Sat: span(22 * H, 2 * H + 1800) });
    assert.equal(open(hours, "2026-10-25T00:15:00Z"), true, "02:15 CEST");
    assert.equal(open(hours, "2026-10-25T00:45:00Z"), false, "02:45 CEST");
    assert.equal(open(hours, "2026-10-25T01:15:00Z"), true, "02:15 CET, the second time");
    assert.equal(open(hours, "2026-10-25T01:30:00Z"), false, "02:30 CET");
  });

  it("follows New York's autumn change on 2026-11-01", () => {
    const ny = everyDay("America/New_York");
    assert.equal(open(ny, "2026-10-31T12:30:00Z"), true, "Saturday 08:30 EDT");
    assert.equal(open(ny, "2026-11-01T12:30:00Z"), false, "Sunday 07:30 EST");
    assert.equal(open(ny, "2026-11-01T13:00:00Z"), true, "Sunday 08:00 EST");
  });

  it("takes the weekday on each side of the date line", () => {
    // 2026-03-27 20:00 UTC is Saturday 09:00 in Auckland and Friday 10:00 in Honolulu.
    const weekdays = (timeZone: string) => ({ ...defaultOpeningHours(), timeZone });
    assert.equal(open(weekdays("NZ"), "2026-03-27T20:00:00Z"), false, "Saturday in Auckland");
    assert.equal(open(weekdays("US-HI"), "2026-03-27T20:00:00Z"), true, "Friday in Honolulu");
  });
});

describe("opening hours: time zones", () => {
  it("falls back to UTC for a zone that is unknown or blank", () => {
    for (const zone of ["Mars/Base", "XX", "", "   ", "EST"]) {
      assert.equal(open(everyDay(zone), "2026-03-27T08:00:00Z"), true, `${zone}: 08:00 UTC`);
      assert.equal(open(everyDay(zone), "2026-03-27T07:59:59Z"), false, `${zone}: 07:59 UTC`);
    }
  });

  it("finds codes case- and space-insensitively, and IANA names as an extension", () => {
    assert.equal(findTimeZone(" us-ny ")?.iana, "America/New_York");
    assert.equal(findTimeZone("US-NY")?.id, 22);
    assert.deepEqual(findTimeZone("America/New_York"), {
      id: 0,
      code: "America/New_York",
      iana: "America/New_York",
      name: "America/New_York",
      cities: "",
      isoNumber: 0,
    });
    assert.equal(findTimeZone("UTC")?.id, 1);
    assert.equal(findTimeZone("EST"), null, "only names with a slash are taken as IANA");
    assert.equal(findTimeZone("Europe/Atlantis"), null);
  });

  it("stores the table's code, a trimmed IANA name, or nothing; a code wins over an id", () => {
    assert.equal(timeZoneCode("f", "no", 0), "NO");
    assert.equal(timeZoneCode("f", " Europe/Oslo ", 0), "Europe/Oslo");
    assert.equal(timeZoneCode("f", "", 22), "US-NY");
    assert.equal(timeZoneCode("f", "  ", 0), "");
    assert.equal(timeZoneCode("f", null, 0), "");
    assert.throws(
      () => timeZoneCode("TZLocationCode", "Mars/Base", 2),
      coded("PRES_ERR_BAD_TIME_ZONE", { field: "TZLocationCode", code: "Mars/Base" }),
    );
    assert.throws(
      () => timeZoneCode("TZLocationId", null, 999),
      coded("PRES_ERR_BAD_TIME_ZONE", { field: "TZLocationId", code: "id 999" }),
    );
  });
});

describe("opening hours: times of day", () => {
  it("reads the edges of the day and the lenient forms", () => {
    assert.equal(parseTimeOfDay("f", "23:59:59"), 86_399);
    assert.equal(parseTimeOfDay("f", "24:00:00"), 0);
    assert.equal(parseTimeOfDay("f", "PT24H"), 0);
    assert.equal(parseTimeOfDay("f", "pt1h"), H, "ISO durations in any case");
    assert.equal(parseTimeOfDay("f", "8:05"), 8 * H + 300, "a one-digit hour");
    assert.equal(parseTimeOfDay("f", "  08:00  "), 8 * H);
    assert.equal(parseTimeOfDay("f", "PT0.9S"), 0, "fractions of a second drop");
    assert.equal(parseTimeOfDay("f", "2026-01-01 09:15"), 9 * H + 900);
    assert.equal(parseTimeOfDay("f", ""), 0);
  });

  it("refuses what is past the day or not a time, naming the field and the value", () => {
    for (const bad of ["PT24H0M1S", "08:30:60", "-01:00", "1.08:00:00", "PT25H", "08:00 PM"]) {
      assert.throws(
        () => parseTimeOfDay("MonStart", ` ${bad} `),
        coded("PRES_ERR_BAD_TIME", { field: "MonStart", value: bad }),
        bad,
      );
    }
  });

  it("writes times as HH:mm:ss", () => {
    assert.equal(formatTimeOfDay(0), "00:00:00");
    assert.equal(formatTimeOfDay(86_399), "23:59:59");
    assert.equal(formatTimeOfDay(9 * H + 5 * 60 + 7), "09:05:07");
  });
});
