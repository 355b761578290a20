/**
 * Chat topic opening hours: the stored shape, parsing times of day, time-zone lookup and the
 * "is it open now" rule. Pure: the clock and the zone database (Intl) are the only inputs.
 *
 * Local weekday and time come from Intl.DateTimeFormat with the topic's IANA zone, so the
 * answer follows daylight-saving changes without any offsets stored here.
 */
import { PresenceError } from "./errors.ts";

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One span of a day in seconds after local midnight; `stop <= start` runs past midnight. */
export interface DayHours {
  enabled: boolean;
  start: number;
  stop: number;
}

export interface OpeningHours {
  /** A TZLocationCode from TIME_ZONES, an IANA zone name, or "" for UTC. */
  timeZone: string;
  days: Record<Weekday, DayHours>;
  /** Closed in this span every open day when enabled. */
  lunch: DayHours;
}

const HOUR = 3600;
export const SECONDS_PER_DAY = 24 * HOUR;

export function defaultOpeningHours(): OpeningHours {
  const weekday = (): DayHours => ({ enabled: true, start: 8 * HOUR, stop: 16 * HOUR });
  const closed = (): DayHours => ({ enabled: false, start: 8 * HOUR, stop: 16 * HOUR });
  return {
    timeZone: "",
    days: {
      Mon: weekday(),
      Tue: weekday(),
      Wed: weekday(),
      Thu: weekday(),
      Fri: weekday(),
      Sat: closed(),
      Sun: closed(),
    },
    lunch: { enabled: false, start: 11 * HOUR + 30 * 60, stop: 12 * HOUR },
  };
}

/**
 * A SuperOffice TimeZoneData location. SuperOffice installations number their locations
 * themselves, so codes are matched first and the id only when no code is given.
 */
export interface TimeZoneLocation {
  id: number;
  code: string;
  iana: string;
  name: string;
  cities: string;
  isoNumber: number;
}

const zone = (
  id: number,
  code: string,
  iana: string,
  name: string,
  cities: string,
  isoNumber: number,
): TimeZoneLocation => ({ id, code, iana, name, cities, isoNumber });

/** The TZLocationCode table (documented in the README). */
export const TIME_ZONES: readonly TimeZoneLocation[] = [
  zone(1, "UTC", "UTC", "Coordinated Universal Time", "", 0),
  zone(2, "NO", "Europe/Oslo", "Norway", "Oslo, Bergen, Trondheim", 578),
  zone(3, "SE", "Europe/Stockholm", "Sweden", "Stockholm, Gothenburg", 752),
  zone(4, "DK", "Europe/Copenhagen", "Denmark", "Copenhagen, Aarhus", 208),
  zone(5, "FI", "Europe/Helsinki", "Finland", "Helsinki, Tampere", 246),
  zone(6, "IS", "Atlantic/Reykjavik", "Iceland", "Reykjavik", 352),
  zone(7, "DE", "Europe/Berlin", "Germany", "Berlin, Hamburg, Munich", 276),
  zone(8, "NL", "Europe/Amsterdam", "Netherlands", "Amsterdam, Rotterdam", 528),
  zone(9, "BE", "Europe/Brussels", "Belgium", "Brussels, Antwerp", 56),
  zone(10, "FR", "Europe/Paris", "France", "Paris, Lyon", 250),
  zone(11, "ES", "Europe/Madrid", "Spain", "Madrid, Barcelona", 724),
  zone(12, "IT", "Europe/Rome", "Italy", "Rome, Milan", 380),
  zone(13, "CH", "Europe/Zurich", "Switzerland", "Zurich, Geneva", 756),
  zone(14, "AT", "Europe/Vienna", "Austria", "Vienna", 40),
  zone(15, "PL", "Europe/Warsaw", "Poland", "Warsaw, Krakow", 616),
  zone(16, "GB", "Europe/London", "United Kingdom", "London, Manchester, Edinburgh", 826),
  zone(17, "IE", "Europe/Dublin", "Ireland", "Dublin, Cork", 372),
  zone(18, "PT", "Europe/Lisbon", "Portugal", "Lisbon, Porto", 620),
  zone(19, "EE", "Europe/Tallinn", "Estonia", "Tallinn", 233),
  zone(20, "LV", "Europe/Riga", "Latvia", "Riga", 428),
  zone(21, "LT", "Europe/Vilnius", "Lithuania", "Vilnius", 440),
  zone(22, "US-NY", "America/New_York", "United States - Eastern", "New York, Boston", 840),
  zone(23, "US-IL", "America/Chicago", "United States - Central", "Chicago, Dallas", 840),
  zone(24, "US-CO", "America/Denver", "United States - Mountain", "Denver", 840),
  zone(25, "US-AZ", "America/Phoenix", "United States - Arizona", "Phoenix", 840),
  zone(26, "US-CA", "America/Los_Angeles", "United States - Pacific", "Los Angeles, Seattle", 840),
  zone(27, "US-AK", "America/Anchorage", "United States - Alaska", "Anchorage", 840),
  zone(28, "US-HI", "Pacific/Honolulu", "United States - Hawaii", "Honolulu", 840),
  zone(29, "CA-ON", "America/Toronto", "Canada - Eastern", "Toronto, Ottawa", 124),
  zone(30, "BR-SP", "America/Sao_Paulo", "Brazil - Sao Paulo", "Sao Paulo, Rio de Janeiro", 76),
  zone(31, "AR-NQ", "America/Argentina/Salta", "Argentina - Neuquen", "Neuquen", 32),
  zone(32, "AU-QLD", "Australia/Brisbane", "Australia - Queensland", "Brisbane", 36),
  zone(33, "AU-NSW", "Australia/Sydney", "Australia - New South Wales", "Sydney", 36),
  zone(34, "AU-VIC", "Australia/Melbourne", "Australia - Victoria", "Melbourne", 36),
  zone(35, "AU-WA", "Australia/Perth", "Australia - Western Australia", "Perth", 36),
  zone(36, "NZ", "Pacific/Auckland", "New Zealand", "Auckland, Wellington", 554),
  zone(37, "JP", "Asia/Tokyo", "Japan", "Tokyo, Osaka", 392),
  zone(38, "CN", "Asia/Shanghai", "China", "Beijing, Shanghai", 156),
  zone(39, "IN", "Asia/Kolkata", "India", "Mumbai, New Delhi", 356),
  zone(40, "SG", "Asia/Singapore", "Singapore", "Singapore", 702),
  zone(41, "AE", "Asia/Dubai", "United Arab Emirates", "Dubai, Abu Dhabi", 784),
  zone(42, "ZA", "Africa/Johannesburg", "South Africa", "Johannesburg, Cape Town", 710),
];

const BY_CODE = new Map(TIME_ZONES.map((z) => [z.code.toLowerCase(), z]));
const BY_ID = new Map(TIME_ZONES.map((z) => [z.id, z]));

function isIanaZone(name: string): boolean {
  if (!name.includes("/") && name !== "UTC") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The location for a TZLocationCode (case-insensitive) or, as an extension, an IANA zone name;
 * "" is UTC. Null when the code is neither.
 */
export function findTimeZone(code: string): TimeZoneLocation | null {
  const trimmed = code.trim();
  if (trimmed === "") return BY_CODE.get("utc") ?? null;
  const known = BY_CODE.get(trimmed.toLowerCase());
  if (known) return known;
  if (!isIanaZone(trimmed)) return null;
  const iana = new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
  return { id: 0, code: trimmed, iana, name: trimmed, cities: "", isoNumber: 0 };
}

export function findTimeZoneById(id: number): TimeZoneLocation | null {
  return BY_ID.get(id) ?? null;
}

/** The code to store for a TimeZoneData: its code when set, else its id from the table. */
export function timeZoneCode(field: string, code: string | null, id: number): string {
  if (code?.trim()) {
    const found = findTimeZone(code);
    if (!found) throw new PresenceError("PRES_ERR_BAD_TIME_ZONE", { field, code });
    return found.id === 0 ? code.trim() : found.code;
  }
  if (id > 0) {
    const found = findTimeZoneById(id);
    if (!found) throw new PresenceError("PRES_ERR_BAD_TIME_ZONE", { field, code: `id ${id}` });
    return found.code;
  }
  return "";
}

/**
 * A time of day in seconds after midnight from "HH:mm", "HH:mm:ss[.fff]", a .NET TimeSpan
 * ("0.08:00:00"), an ISO 8601 duration ("PT8H30M") or a date-time (time part only).
 * "24:00" is the end of the day and is stored as 0. Null and "" are midnight.
 */
export function parseTimeOfDay(field: string, value: string | null): number {
  if (value === null || value.trim() === "") return 0;
  const text = value.trim();
  const bad = () => new PresenceError("PRES_ERR_BAD_TIME", { field, value: text });
  let hours: number;
  let minutes: number;
  let seconds: number;
  const clock = /^(?:0\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(text);
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(text);
  const dateTime = /^\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  const match = clock ?? dateTime;
  if (match) {
    [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  } else if (iso && text.length > 2) {
    [hours, minutes, seconds] = [Number(iso[1] ?? 0), Number(iso[2] ?? 0), Number(iso[3] ?? 0)];
  } else {
    throw bad();
  }
  if (minutes > 59 || seconds >= 60) throw bad();
  const total = hours * HOUR + minutes * 60 + Math.floor(seconds);
  if (total > SECONDS_PER_DAY) throw bad();
  return total % SECONDS_PER_DAY;
}

/** "HH:mm:ss", the JSON form of a .NET TimeSpan. */
export function formatTimeOfDay(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / HOUR))}:${pad(Math.floor((seconds % HOUR) / 60))}:${pad(seconds % 60)}`;
}

export interface LocalTime {
  weekday: Weekday;
  /** Seconds after local midnight. */
  seconds: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and time of day at `instant` in an IANA zone. */
export function localTime(instant: Date, ianaZone: string): LocalTime {
  let format = formatters.get(ianaZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: ianaZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(ianaZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    weekday: parts.weekday as Weekday,
    seconds: Number(parts.hour) * HOUR + Number(parts.minute) * 60 + Number(parts.second),
  };
}

/** Whether a day's span covers `seconds` on that day itself, or (spill) early on the next day. */
function covers(day: DayHours, seconds: number, spill: boolean): boolean {
  if (!day.enabled) return false;
  if (day.start === day.stop) return !spill; // 00:00-00:00 and the like: the whole day
  if (day.start < day.stop) return !spill && seconds >= day.start && seconds < day.stop;
  return spill ? seconds < day.stop : seconds >= day.start;
}

/** Whether topic hours are open at `instant`; with hours disabled a topic is always open. */
export function isOpenAt(enabled: boolean, hours: OpeningHours, instant: Date): boolean {
  if (!enabled) return true;
  const location = findTimeZone(hours.timeZone) ?? findTimeZone("UTC");
  const { weekday, seconds } = localTime(instant, location?.iana ?? "UTC");
  const index = WEEKDAYS.indexOf(weekday);
  const previous = WEEKDAYS[(index + 6) % 7];
  const open =
    covers(hours.days[weekday], seconds, false) || covers(hours.days[previous], seconds, true);
  if (!open) return false;
  const { lunch } = hours;
  return !(
    lunch.enabled &&
    lunch.start < lunch.stop &&
    seconds >= lunch.start &&
    seconds < lunch.stop
  );
}
