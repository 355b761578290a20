/**
 * Clients the `soap` package generates from the served Services88 Chat.svc WSDL, one per test
 * user, and assertions on their answers: Succeeded true with a Response, a nil Response, or
 * Succeeded false with ExceptionInfo of a type. Records which operations were called.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import soap from "soap";
import { startTestServer, type TestServer } from "./server.ts";
import { NS88 } from "./soap.ts";

type Client = soap.Client & Record<string, (args: unknown) => Promise<unknown[]>>;
export interface Reply {
  // The generated client answers plain objects shaped by the WSDL, typed by nothing here.
  // biome-ignore lint/suspicious/noExplicitAny: read field by field by the assertions
  result: Record<string, any> | null;
  header: { Succeeded?: string; ExceptionInfo?: { ExceptionType?: string; Message?: string } };
}

/** Test users by name: admin tje0, agents ocon, kuhn and tick, and no ticket at all. */
const USERS = { admin: 1, ocon: 589, kuhn: 883, tick: 900 } as const;
export type Caller = keyof typeof USERS | "anonymous";

export interface ChatClients {
  call(who: Caller, operation: string, args?: unknown): Promise<Reply>;
  /** Every operation called so far. */
  called: Set<string>;
}

export async function chatClients(server: TestServer): Promise<ChatClients> {
  const clients = {} as Record<Caller, Client>;
  for (const who of [...Object.keys(USERS), "anonymous"] as Caller[]) {
    const client = (await soap.createClientAsync(
      `${server.url}/Remote/Services88/Chat.svc?wsdl`,
    )) as Client;
    if (who !== "anonymous") {
      const ticket = await server.services.auth.issue("ticket", USERS[who]);
      client.addSoapHeader({ Credentials: { Ticket: ticket } }, "", "tns", NS88);
    }
    clients[who] = client;
  }
  const called = new Set<string>();
  return {
    called,
    async call(who, operation, args = {}) {
      called.add(operation);
      const [result, , header] = await clients[who][`${operation}Async`](args);
      return {
        result: (result as Reply["result"]) ?? null,
        header: (header ?? {}) as Reply["header"],
      };
    },
  };
}

export const ok = (reply: Reply) => {
  assert.equal(reply.header.Succeeded, "true", JSON.stringify(reply.header));
  return reply.result?.Response;
};
export const nil = (reply: Reply) => {
  assert.equal(reply.header.Succeeded, "true", JSON.stringify(reply.header));
  assert.equal(reply.result?.Response ?? null, null, "a nil Response");
};
export const refused = (reply: Reply, type: string) => {
  assert.equal(reply.header.Succeeded, "false");
  assert.equal(
    reply.header.ExceptionInfo?.ExceptionType,
    type,
    reply.header.ExceptionInfo?.Message,
  );
};
export const denied = (reply: Reply) => refused(reply, "SoAccessDeniedException");
export const unauthenticated = (reply: Reply) => refused(reply, "SoAuthenticationException");

/** The operations test/soap-topic-operations.test.ts calls; test/soap-session-operations.test.ts the rest. */
export const TOPIC_OPERATIONS = [
  "CreateDefaultChatSessionEntity",
  "CreateDefaultChatTopicEntity",
  "CreateDefaultChatTopicAgent",
  "GetChatPresence",
  "SaveChatPresence",
  "GetChatTopicEntity",
  "ChatTopicsForUser",
  "IsWithinOpeningHours",
  "SaveChatTopicEntity",
  "DeleteChatTopicEntity",
  "GetChatTopicUserAgentList",
  "GetChatTopicUserAgent",
  "AddChatTopicUserAgent",
  "UpdateChatTopicUserAgent",
  "UpdateChatTopicUserAgents",
  "DeleteChatTopicUserAgent",
  "GetUserAgentList",
];

/**
 * A test server and its generated clients for the tests of one describe block, started before
 * them and closed after: `suite.server`, `suite.clients`, and `suite.call` as one of them.
 */
export function chatClientSuite() {
  const suite = {} as { server: TestServer; clients: ChatClients; call: ChatClients["call"] };
  suite.call = (who, operation, args) => suite.clients.call(who, operation, args);
  before(async () => {
    suite.server = await startTestServer();
    suite.clients = await chatClients(suite.server);
  });
  after(() => suite.server.close());
  return suite;
}
