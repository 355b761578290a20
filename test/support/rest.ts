/** Shared pieces of the REST and Agents acceptance tests: callers, routes, state, error checks. */
import assert from "node:assert/strict";
import { basic, PASSWORD, type TestServer } from "./server.ts";

/** tje0:Tje0, the admin of the seed samples, exactly as the samples send it. */
export const ADMIN = "Basic dGplMDpUamUw";
/** Agent 883 (kuhn). */
export const KUHN = basic("kuhn", PASSWORD);
/** Agent 589 (ocon). */
export const OCON = basic("ocon", PASSWORD);

/** Kuhn's presence as the test seed has it: absent, two chats, members of topics 128 and 574. */
export const SEEDED_KUHN = {
  UserId: 883,
  DisplayName: "User kuhn",
  OngoingChats: 2,
  Present: false,
  ChatTopics: [128, 574],
};

export const ROUTES = {
  getAll: "/api/v1/Presence/GetAll",
  saveAll: "/api/v1/Presence/SaveAll",
  getChat: "/api/v1/Agents/Chat/GetChatPresence",
  saveChat: "/api/v1/Agents/Chat/SaveChatPresence",
} as const;

/** The content types the SuperOffice docs list for request bodies. */
export const BODY_TYPES = [
  "application/json",
  "text/json",
  "application/xml",
  "text/xml",
  "application/x-www-form-urlencoded",
  "application/json-patch+json",
  "application/merge-patch+json",
];

export interface Entry {
  UserId: number;
  Present: boolean;
}

/** Present per UserId, read from the store itself, so a test proves what was (not) saved. */
export async function presentByUser(server: TestServer): Promise<Record<number, boolean>> {
  const list = await server.store.listPresence();
  return Object.fromEntries(list.map((p) => [p.UserId, p.Present]));
}

/** Sets presence directly in the store, to start a test from a known state. */
export async function setPresent(server: TestServer, entries: Entry[]): Promise<void> {
  await server.store.savePresence(entries.map((e) => ({ userId: e.UserId, present: e.Present })));
  await server.services.presence.usersChanged(
    entries.map((e) => e.UserId),
    { source: "admin", changedBy: null },
  );
}

/** Saves over REST SaveAll as the caller in `headers`, and asserts the 204. */
export async function saveAs(
  server: TestServer,
  headers: Record<string, string>,
  entries: Entry[],
): Promise<void> {
  const response = await server.fetch(ROUTES.saveAll, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

export interface PostOptions {
  contentType?: string;
  auth?: string | null;
  headers?: Record<string, string>;
}

/** POSTs a body (JSON-encoded unless it is already a string) with admin credentials by default. */
export function post(
  server: TestServer,
  path: string,
  body: unknown,
  { contentType = "application/json", auth = ADMIN, headers = {} }: PostOptions = {},
): Promise<Response> {
  const all: Record<string, string> = { "Content-Type": contentType, ...headers };
  if (auth) all.Authorization = auth;
  return server.fetch(path, {
    method: "POST",
    headers: all,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** GetAll (or Agents GetChatPresence) as parsed JSON. */
export async function readAll(
  server: TestServer,
  path: string = ROUTES.getAll,
  auth = ADMIN,
): Promise<Record<string, unknown>[]> {
  const method = path === ROUTES.getAll ? "GET" : "POST";
  const response = await server.fetch(path, { method, headers: { Authorization: auth } });
  assert.equal(response.status, 200);
  return response.json();
}

export interface ErrorBody {
  Error: true;
  ErrorType: string;
  ErrorMessage: string;
  Message: string;
  ErrorSource: string;
}

/** Asserts SuperOffice's JSON error body with this status (and type / message) and returns it. */
export async function expectError(
  response: Response,
  status: number,
  expected: { type?: string; message?: RegExp } = {},
): Promise<ErrorBody> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(body.Error, true);
  assert.equal(typeof body.ErrorType, "string");
  assert.ok(body.ErrorMessage.length > 0);
  assert.equal(body.Message, body.ErrorMessage);
  assert.match(body.ErrorSource, /^[A-Z]+ \//);
  if (expected.type) assert.equal(body.ErrorType, expected.type);
  if (expected.message) assert.match(body.ErrorMessage, expected.message);
  return body;
}
