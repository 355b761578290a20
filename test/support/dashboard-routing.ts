/**
 * The dashboard's routing views in a real browser: a directory where one agent starts with no
 * chats and a limit, a topic put into Offer mode, and locators for the offers and queue cards.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Seed } from "../../src/domain/seed.ts";
import { ADMIN, call } from "./chat.ts";
import { type TestServer, testSeed } from "./server.ts";

export const SUPPORT = 574;
export const KUHN_ID = 883;
export const KUHN_LIMIT = 3;

export const OCON_ID = 589;

/**
 * The test directory, with kuhn (CanRespond in Support) free of chats and limited to 3, and
 * ocon managing Support.
 */
export function routingSeed(): Seed {
  const seed = testSeed();
  return {
    ...seed,
    members: seed.members.map((member) =>
      member.userId === OCON_ID && member.topicId === SUPPORT
        ? { ...member, canManage: true }
        : member,
    ),
    users: seed.users.map((user) =>
      user.id === KUHN_ID ? { ...user, present: true, maxChats: KUHN_LIMIT } : user,
    ),
    sessions: seed.sessions.filter((session) => session.userId !== KUHN_ID),
  };
}

/** Support offers each queued session for `offerSeconds` (long enough not to lapse here). */
export async function offerMode(server: TestServer, offerSeconds: number) {
  const reply = await call(server, ADMIN, "PUT", `/api/v1/ChatTopic/${SUPPORT}/Routing`, {
    Mode: "Offer",
    OfferSeconds: offerSeconds,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

/** A new session waiting in the topic, created through REST; its id. */
export async function queueSession(server: TestServer, topicId = SUPPORT): Promise<number> {
  const reply = await call(server, ADMIN, "POST", `/api/v1/ChatTopic/${topicId}/Sessions`);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body.ChatSessionId;
}

export const offerRow = (page: Page, sessionId: number) =>
  page.locator(`li.offer[data-session-id="${sessionId}"]`);

export const queueCard = (page: Page, topicId = SUPPORT) =>
  page.locator(`li.queue-card[data-topic-id="${topicId}"]`);

/** A queue card's figure (waiting, oldest, agents, estimate) once it reads `text`. */
export const statReading = (page: Page, key: string, text: string | RegExp, topicId = SUPPORT) =>
  queueCard(page, topicId).locator(`[data-stat="${key}"]`).filter({ hasText: text });

/** Seconds left on an offer's countdown, as the page shows them. */
export async function secondsLeft(page: Page, sessionId: number): Promise<number> {
  const text = (await offerRow(page, sessionId).locator(".countdown").textContent()) ?? "";
  const match = /^(\d+) s left$/.exec(text);
  assert.ok(match, `a countdown, not "${text}"`);
  return Number(match[1]);
}
