/**
 * The HTTP server the chat message tests run against, once on SQLite and once on PostgreSQL
 * (skipped, and announced, without one). Seed: kuhn (883) owns sessions 1 (UserLast) and 2
 * (CustomerLast) in topic 574 where he can respond, session 3 is Closed, session 4 waits in
 * topic 128 where kuhn only listens; ocon (589) is a member of 574 without rights.
 */
import { describeHttpBackends } from "./http-backends.ts";
import type { TestServer } from "./server.ts";

export const messagesOf = (id: number, query = "") => `/api/v1/ChatSession/${id}/Messages${query}`;

/** Runs `suite` once per backend with a server (three messages a page) it can read. */
export function describeMessagesHttp(
  title: string,
  suite: (server: () => TestServer) => void,
): void {
  describeHttpBackends(title, { messagesPage: 3 }, (server) => suite(server));
}
