/**
 * The import file (`--seed FILE`, `chat-presence import FILE`), checked field by field so a
 * mistake names its place (`users[3].id`) instead of failing half-way through the import.
 */
import { isChatLimit } from "./capacity.ts";
import {
  type ChatSession,
  type ChatTopic,
  isSessionStatus,
  type Role,
  type TopicMember,
} from "./model.ts";
import {
  type DayHours,
  findTimeZone,
  type OpeningHours,
  parseTimeOfDay,
  WEEKDAYS,
} from "./opening-hours.ts";

export interface SeedUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  present: boolean;
  password: string | null;
  passwordHash: string | null;
  /** Heartbeat TTL in seconds for this user; absent or null keeps what is stored. */
  presenceTtl?: number | null;
  /** The most ongoing chats in all (0: no limit); absent keeps what is stored. */
  maxChats?: number;
}

export interface Seed {
  users: SeedUser[];
  topics: ChatTopic[];
  members: TopicMember[];
  sessions: ChatSession[];
  appTokens: string[];
}

export class SeedError extends Error {}

type Json = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new SeedError(`${path}: expected ${expected}`);
}

function id(value: unknown, path: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2147483647) {
    fail(path, "a positive 32-bit integer");
  }
  return value as number;
}

function text(value: unknown, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string") fail(path, "a string");
  return value;
}

function flag(value: unknown, path: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") fail(path, "true or false");
  return value;
}

/** A chat limit (`maxChats`, `maxChatsPerAgent`); undefined when absent or null (kept). */
function chatLimit(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isChatLimit(value)) fail(path, "0 (no limit) or a positive 32-bit integer");
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, "an array");
  return value;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "an object");
  return value as Json;
}

function parseUser(raw: unknown, path: string): SeedUser {
  const u = object(raw, path);
  const username = text(u.username, `${path}.username`);
  if (!username.trim()) fail(`${path}.username`, "a non-empty string");
  const role = u.role ?? (u.admin === true ? "admin" : "agent");
  if (role !== "admin" && role !== "agent") fail(`${path}.role`, '"admin" or "agent"');
  return {
    id: id(u.id, `${path}.id`),
    username,
    displayName: text(u.displayName, `${path}.displayName`, username),
    role,
    present: flag(u.present, `${path}.present`),
    password:
      u.password === undefined || u.password === null ? null : text(u.password, `${path}.password`),
    passwordHash:
      u.passwordHash === undefined ? null : text(u.passwordHash, `${path}.passwordHash`),
    presenceTtl:
      u.presenceTtl === undefined || u.presenceTtl === null
        ? null
        : id(u.presenceTtl, `${path}.presenceTtl`),
    maxChats: chatLimit(u.maxChats, `${path}.maxChats`),
  };
}

const SPAN = /^\s*([^-\s]+)\s*-\s*([^-\s]+)\s*$/;

/** "08:00-16:00" as a span; absent is closed. */
function parseSpan(value: unknown, path: string): DayHours {
  const closed = { enabled: false, start: 8 * 3600, stop: 16 * 3600 };
  if (value === undefined || value === null) return closed;
  const match = typeof value === "string" ? SPAN.exec(value) : null;
  if (!match) fail(path, 'a span such as "08:00-16:00"');
  try {
    return {
      enabled: true,
      start: parseTimeOfDay(path, match[1]),
      stop: parseTimeOfDay(path, match[2]),
    };
  } catch {
    fail(path, 'a span of times of day such as "08:00-16:00"');
  }
}

/**
 * Opening hours in the import file: `{ "timeZone": "Europe/Oslo", "mon": "08:00-16:00", …,
 * "lunch": "11:30-12:00" }`. A day left out is closed; the zone is a TZLocationCode or an
 * IANA name (default UTC).
 */
function parseOpeningHours(value: unknown, path: string): OpeningHours {
  const o = object(value, path);
  const timeZone = text(o.timeZone, `${path}.timeZone`, "");
  if (!findTimeZone(timeZone))
    fail(`${path}.timeZone`, "a TZLocationCode such as NO or an IANA zone name");
  const days = Object.fromEntries(
    WEEKDAYS.map((day) => [day, parseSpan(o[day.toLowerCase()], `${path}.${day.toLowerCase()}`)]),
  ) as OpeningHours["days"];
  return { timeZone, days, lunch: parseSpan(o.lunch, `${path}.lunch`) };
}

/** A topic: id and name, and optionally its texts and opening hours. */
function parseTopic(t: Json, topicId: number, path: string): ChatTopic {
  const topic: ChatTopic = { id: topicId, name: text(t.name, `${path}.name`, "") };
  if (t.description !== undefined) topic.description = text(t.description, `${path}.description`);
  if (t.welcomeMessage !== undefined) {
    topic.welcomeMessage = text(t.welcomeMessage, `${path}.welcomeMessage`);
  }
  if (t.openingHours !== undefined) {
    topic.openingHours = parseOpeningHours(t.openingHours, `${path}.openingHours`);
    topic.openingHoursEnabled = true;
  }
  if (t.openingHoursEnabled !== undefined) {
    topic.openingHoursEnabled = flag(t.openingHoursEnabled, `${path}.openingHoursEnabled`);
  }
  const maxChatsPerAgent = chatLimit(t.maxChatsPerAgent, `${path}.maxChatsPerAgent`);
  if (maxChatsPerAgent !== undefined) topic.maxChatsPerAgent = maxChatsPerAgent;
  return topic;
}

function parseMember(raw: unknown, topicId: number, path: string): TopicMember {
  const m = object(raw, path);
  return {
    topicId,
    userId: id(m.userId, `${path}.userId`),
    canListen: flag(m.canListen, `${path}.canListen`),
    canRespond: flag(m.canRespond, `${path}.canRespond`),
    canManage: flag(m.canManage, `${path}.canManage`),
    canNotify: flag(m.canNotify, `${path}.canNotify`),
  };
}

function parseSession(raw: unknown, path: string): ChatSession {
  const s = object(raw, path);
  const status = text(s.status, `${path}.status`, "InQueue");
  if (!isSessionStatus(status))
    fail(`${path}.status`, "a ChatSessionStatus name such as InQueue or UserLast");
  return {
    id: id(s.id, `${path}.id`),
    topicId: id(s.topicId, `${path}.topicId`),
    userId: s.userId === undefined || s.userId === null ? null : id(s.userId, `${path}.userId`),
    status,
  };
}

/** Validates a parsed import file and checks that every reference points at something. */
export function parseSeed(raw: unknown): Seed {
  const root = object(raw, "$");
  const users = list(root.users, "users").map((u, i) => parseUser(u, `users[${i}]`));
  const topics: ChatTopic[] = [];
  const members: TopicMember[] = [];
  list(root.topics, "topics").forEach((rawTopic, i) => {
    const t = object(rawTopic, `topics[${i}]`);
    const topicId = id(t.id, `topics[${i}].id`);
    topics.push(parseTopic(t, topicId, `topics[${i}]`));
    list(t.members, `topics[${i}].members`).forEach((m, j) => {
      members.push(parseMember(m, topicId, `topics[${i}].members[${j}]`));
    });
  });
  const sessions = list(root.sessions, "sessions").map((s, i) => parseSession(s, `sessions[${i}]`));
  const appTokens = list(root.appTokens, "appTokens").map((t, i) => text(t, `appTokens[${i}]`));
  return { users, topics, members, sessions, appTokens };
}
