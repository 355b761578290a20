/** Shared pieces of the chat topic, member and session tests. */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { basic, PASSWORD, startTestServer, type TestServer } from "./server.ts";

export const ADMIN = basic("tje0", "Tje0");
/** Agent 883: CanListen on 128, CanRespond on 574; sessions 1 (UserLast), 2 (CustomerLast), 3. */
export const KUHN = basic("kuhn", PASSWORD);
/** Agent 589: a member of 574 without rights. */
export const OCON = basic("ocon", PASSWORD);

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are JSON of many shapes
  body: any;
  headers: Headers;
}

/** Calls the server as a user; JSON in, JSON (or nothing) out. */
export async function call(
  server: TestServer,
  auth: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await server.fetch(path, {
    method,
    headers: {
      Authorization: auth,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // XML or plain text: kept as text.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** POST to an Agents/Chat operation. */
export function agents(server: TestServer, auth: string, name: string, body?: unknown, query = "") {
  return call(server, auth, "POST", `/api/v1/Agents/Chat/${name}${query}`, body ?? {});
}

/** Asserts a SuperOffice error body with this status and registry code. */
export function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body?.Error, true);
  assert.equal(reply.body?.ErrorCode, code);
  assert.equal(typeof reply.body?.ErrorMessage, "string");
}

export interface PresenceRow {
  UserId: number;
  OngoingChats: number;
  ChatTopics: number[];
  Present: boolean;
}

/** One user's entry in GetAll, read over REST as any client would. */
export async function presenceOf(server: TestServer, userId: number): Promise<PresenceRow> {
  const reply = await call(server, ADMIN, "GET", "/api/v1/Presence/GetAll");
  assert.equal(reply.status, 200);
  const row = (reply.body as PresenceRow[]).find((p) => p.UserId === userId);
  assert.ok(row, `user ${userId} is in GetAll`);
  return row;
}

/** The same entry as the Agents GetChatPresence answers it. */
export async function agentsPresenceOf(server: TestServer, userId: number): Promise<PresenceRow> {
  const reply = await agents(server, ADMIN, "GetChatPresence");
  return (reply.body as PresenceRow[]).find((p) => p.UserId === userId) as PresenceRow;
}

export const NO_RIGHTS = {
  CanListen: false,
  CanRespond: false,
  CanManage: false,
  CanNotify: false,
};

/** Gives a user rights in a topic through the REST API (as the admin). */
export async function grant(
  server: TestServer,
  topicId: number,
  username: string,
  rights: Partial<typeof NO_RIGHTS>,
): Promise<void> {
  const reply = await call(server, ADMIN, "POST", `/api/v1/ChatTopic/${topicId}/UserAgent`, {
    User: { UserName: username },
    ...NO_RIGHTS,
    ...rights,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

/** A ticket for a user without a password (tick, 900). */
export async function ticketFor(server: TestServer, userId: number): Promise<string> {
  return `SoTicket ${await server.services.auth.issue("ticket", userId)}`;
}

/**
 * A test server for the tests of one describe block where user 900 ("tick") may respond in
 * topic 574: `suite.server`, and `suite.tick`, tick's ticket.
 */
export function respondingSuite() {
  const suite = {} as { server: TestServer; tick: string };
  before(async () => {
    suite.server = await startTestServer();
    suite.tick = await ticketFor(suite.server, 900);
    await grant(suite.server, 574, "tick", { CanRespond: true });
  });
  after(() => suite.server.close());
  return suite;
}
