/**
 * The dashboard's routing views end to end in Debian's chromium: an agent sees a chat offered
 * to them with a countdown, accepts it and sees their load grow, while an admin's queue view
 * in a second page follows every step live, without a reload; the chart is drawn from history.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ADMIN, call } from "./support/chat.ts";
import { launchChromium, OUTPUT, signIn } from "./support/dashboard.ts";
import {
  KUHN_ID,
  KUHN_LIMIT,
  offerMode,
  offerRow,
  queueCard,
  queueSession,
  routingSeed,
  SUPPORT,
  secondsLeft,
  statReading,
} from "./support/dashboard-routing.ts";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

/** Generous: the machine is shared, and each step crosses the server and two streams. */
const STEP = { timeout: 15_000 };
const OFFER_SECONDS = 600;

/** Until the page's routing stream is open (its views have read what is there). */
const routingLive = (page: Page) => page.locator('body[data-routing-stream="live"]').waitFor(STEP);

/** Marks the document; a reload would lose the mark. */
const markDocument = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { kept: boolean }).kept = true;
  });
const stillSameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { kept?: boolean }).kept === true);

describe("dashboard routing (chromium)", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    browser = await launchChromium();
    server = await startTestServer({ seed: routingSeed() });
    await offerMode(server, OFFER_SECONDS);
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  async function open(user: string, password: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return signIn(context, server, user, password);
  }

  it("an offer appears with a countdown, is accepted, and the admin's queue view follows live", async () => {
    const admin = await open("tje0", "Tje0");
    await queueCard(admin.page).waitFor(STEP);
    await statReading(admin.page, "waiting", /^0$/).waitFor(STEP);
    await statReading(admin.page, "agents", "1 / 1").waitFor(STEP);
    await routingLive(admin.page);
    await markDocument(admin.page);

    const agent = await open("kuhn", PASSWORD);
    await agent.page.locator("#agent").waitFor(STEP);
    await agent.page
      .locator("#load")
      .filter({ hasText: `0 / ${KUHN_LIMIT} chats` })
      .waitFor(STEP);
    await routingLive(agent.page);
    assert.equal(await agent.page.locator("li.offer").count(), 0);

    // A customer asks: routing offers the session to kuhn, the one available agent.
    const sessionId = await queueSession(server);
    const offer = offerRow(agent.page, sessionId);
    await offer.waitFor(STEP);
    assert.match((await offer.textContent()) ?? "", /Support/);
    const first = await secondsLeft(agent.page, sessionId);
    assert.ok(first > OFFER_SECONDS - 60 && first <= OFFER_SECONDS, `${first} s left`);
    await offer
      .locator(".countdown")
      .filter({ hasNotText: `${first} s left` })
      .waitFor(STEP);
    assert.ok((await secondsLeft(agent.page, sessionId)) < first, "the countdown counts down");

    // The admin's card shows it waiting, offered to kuhn, who is not available meanwhile.
    await statReading(admin.page, "waiting", /^1$/).waitFor(STEP);
    await statReading(admin.page, "agents", "0 / 1").waitFor(STEP);
    await queueCard(admin.page)
      .locator(`.waiting li[data-session-id="${sessionId}"]`)
      .filter({ hasText: "offered to User kuhn" })
      .waitFor(STEP);
    await statReading(admin.page, "oldest", /\d+ s/).waitFor(STEP);
    await agent.page.screenshot({ path: join(OUTPUT, "dashboard-offer.png"), fullPage: true });

    await offer.getByRole("button", { name: "Accept" }).click();
    await offer.waitFor({ ...STEP, state: "detached" });
    await agent.page
      .locator("#load")
      .filter({ hasText: `1 / ${KUHN_LIMIT} chats` })
      .waitFor(STEP);
    assert.equal(await agent.page.locator("#no-offers").isVisible(), true);

    await statReading(admin.page, "waiting", /^0$/).waitFor(STEP);
    await statReading(admin.page, "agents", "1 / 1").waitFor(STEP);
    await statReading(admin.page, "oldest", "–").waitFor(STEP);
    assert.equal(await stillSameDocument(admin.page), true, "no reload");
    await admin.page.screenshot({ path: join(OUTPUT, "dashboard-queues.png"), fullPage: true });

    const session = await server.fetch(`/api/v1/ChatSession/${sessionId}`, {
      headers: { Authorization: `Basic ${Buffer.from("tje0:Tje0").toString("base64")}` },
    });
    const taken = await session.json();
    assert.equal(taken.Status, "UserLast");
    assert.equal(taken.User.AssociateId, 883);
    for (const { page, problems } of [admin, agent]) {
      assert.equal(await page.locator("#error").isVisible(), false);
      assert.deepEqual(problems, []);
    }
  });

  it("the chart is drawn from history: the session queued and taken, the agent present", async () => {
    const admin = await open("tje0", "Tje0");
    const chart = queueCard(admin.page).locator("svg.chart");
    await chart.locator("path.series.queue").waitFor(STEP);
    await chart.locator('path.series.present[data-last="1"]').waitFor(STEP);
    assert.equal(await chart.getAttribute("data-present-history"), "true");
    // The window's start, the session queued (1), taken (0), and now.
    const queue = chart.locator("path.series.queue");
    assert.equal(await queue.getAttribute("data-last"), "0");
    assert.ok(Number(await queue.getAttribute("data-points")) >= 4);
    const d = (await queue.getAttribute("d")) ?? "";
    const levels = new Set([...d.matchAll(/V([\d.]+)/g)].map((m) => m[1]));
    assert.ok(levels.size >= 2, `the queue line rises and falls: ${d}`);
    assert.match((await chart.locator("title").textContent()) ?? "", /queue length 0/);

    // A second session now: the chart's right edge follows live.
    await queueSession(server, SUPPORT);
    await chart.locator('path.series.queue[data-last="1"]').waitFor(STEP);

    await admin.page.setViewportSize({ width: 390, height: 844 });
    await admin.page.screenshot({
      path: join(OUTPUT, "dashboard-queues-phone.png"),
      fullPage: true,
    });
    assert.ok(
      await admin.page.evaluate(() => document.documentElement.scrollWidth <= 390),
      "no horizontal scrolling at phone width",
    );
    assert.deepEqual(admin.problems, []);
  });

  it("a topic manager gets the queue and chart of the topic they manage only, and no offers", async () => {
    const manager = await open("ocon", PASSWORD);
    const chart = queueCard(manager.page).locator("svg.chart");
    await chart.locator("path.series.present").waitFor(STEP);
    assert.equal(await chart.getAttribute("data-present-history"), "true");
    await statReading(manager.page, "waiting", /^1$/).waitFor(STEP);
    assert.equal(await manager.page.locator("li.queue-card").count(), 1, "Support, not Sales");
    assert.equal(await manager.page.locator("#agent").isVisible(), false);
    assert.deepEqual(manager.problems, []);
  });

  it("the countdown keeps to the server's clock when the browser's is 20 minutes ahead", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.clock.install({ time: Date.now() + 20 * 60_000 });
    const agent = await signIn(context, server, "kuhn", PASSWORD);
    // The second session of the chart test is still offered to kuhn.
    const offer = agent.page.locator("li.offer");
    await offer.waitFor(STEP);
    const sessionId = Number(await offer.getAttribute("data-session-id"));
    const left = await secondsLeft(agent.page, sessionId);
    assert.ok(left > OFFER_SECONDS - 120 && left <= OFFER_SECONDS, `${left} s left`);
    assert.deepEqual(agent.problems, []);
  });

  it("an offer withdrawn elsewhere (an admin sets the agent away) leaves the agent's list live", async () => {
    const agent = await open("kuhn", PASSWORD);
    const offer = agent.page.locator("li.offer");
    await offer.waitFor(STEP);
    await routingLive(agent.page);
    await markDocument(agent.page);
    const away = await call(server, ADMIN, "POST", "/api/v1/Presence/SaveAll", [
      { UserId: KUHN_ID, Present: false },
    ]);
    assert.equal(away.status, 204, JSON.stringify(away.body));
    await offer.waitFor({ ...STEP, state: "detached" });
    await agent.page.locator("#no-offers").waitFor(STEP);
    assert.equal(await stillSameDocument(agent.page), true, "no reload");
    assert.deepEqual(agent.problems, []);
  });
});
