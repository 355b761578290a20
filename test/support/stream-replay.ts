/** Saving presence and resuming the change stream over real HTTP, for the stream tests. */
import assert from "node:assert/strict";
import { basic, PASSWORD, type TestServer } from "./server.ts";
import { openStream, type SseEvent, type SseStream } from "./sse-client.ts";

export const ADMIN = { Authorization: basic("tje0", "Tje0") };
export const KUHN = { Authorization: basic("kuhn", PASSWORD) };

export interface Change {
  Id: number;
  UserId: number;
  Present: boolean;
  ChatTopics: number[];
  Previous: { ChatTopics: number[] } | null;
}

export async function save(server: TestServer, entries: { UserId: number; Present: boolean }[]) {
  const response = await server.fetch("/api/v1/Presence/SaveAll", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

/** Every change in the log, as an admin reads it. */
export async function allHistory(server: TestServer): Promise<Change[]> {
  const response = await server.fetch("/api/v1/Presence/History?limit=10000", { headers: ADMIN });
  assert.equal(response.status, 200);
  return response.json();
}

/** The newest event id: a fresh stream's snapshot carries it. */
export async function latestId(server: TestServer): Promise<number> {
  const stream = await openStream(`${server.url}/api/v1/Presence/Stream`, ADMIN);
  const snapshot = await stream.next(5_000);
  stream.close();
  assert.equal(snapshot.event, "snapshot");
  return Number(snapshot.id);
}

/** Reads events until none comes for `quietMs`. */
export async function drain(stream: SseStream, quietMs = 400): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (;;) {
    try {
      events.push(await stream.next(quietMs));
    } catch {
      return events;
    }
  }
}

export async function resume(
  server: TestServer,
  path: string,
  headers: object,
  lastEventId: number,
) {
  return openStream(`${server.url}${path}`, {
    ...(headers as Record<string, string>),
    "Last-Event-ID": String(lastEventId),
  });
}
