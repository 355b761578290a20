/**
 * The dashboard end to end in a real browser: Debian's chromium driven by playwright-core.
 * `.ci/run` installs chromium when it is missing; without it this test fails, it never skips.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { DASHBOARD_CSP, WEB_DIR } from "../src/http/system/dashboard.ts";
import {
  launchChromium,
  OUTPUT,
  presentOf,
  row,
  saveAsAdmin,
  signIn,
  startWatchingRows,
  stopWatchingRows,
  toggle,
  visibleRows,
} from "./support/dashboard.ts";
import { PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

describe("dashboard (chromium)", () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
    server = await startTestServer();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("serves the page, every script module and the stylesheet with the security headers", async () => {
    const modules = readdirSync(WEB_DIR).filter((file) => file.endsWith(".js"));
    assert.ok(modules.length >= 4, `the script modules in web/: ${modules.join(", ")}`);
    for (const [path, type] of [
      ["/", "text/html"],
      ...modules.map((file) => [`/${file}`, "text/javascript"]),
      ["/style.css", "text/css"],
    ]) {
      const response = await server.fetch(path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", new RegExp(`^${type};`), path);
      assert.equal(response.headers.get("content-security-policy"), DASHBOARD_CSP, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      const etag = response.headers.get("etag") ?? "";
      assert.equal((await server.fetch(path, { headers: { "If-None-Match": etag } })).status, 304);
    }
    assert.match(DASHBOARD_CSP, /script-src 'self';/);
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline/);
    // The page's own requests get no Basic challenge (it would pop up the browser's dialog).
    const me = await server.fetch("/api/v1/Auth/Me", {
      headers: { "X-Requested-With": "XMLHttpRequest" },
    });
    assert.equal(me.status, 401);
    assert.doesNotMatch(me.headers.get("www-authenticate") ?? "", /Basic/);
  });

  it("admin: signs in, sees live REST changes within a second, toggles anyone", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, problems } = await signIn(context, server, "tje0", "Tje0", "signin.png");

    await assert.doesNotReject(row(page, 900).waitFor());
    assert.equal(await page.locator("li.user").count(), 4);
    assert.match((await row(page, 883).textContent()) ?? "", /User kuhn/);
    assert.match((await row(page, 883).locator(".chats").textContent()) ?? "", /2 ongoing chats/);
    assert.match((await row(page, 883).locator(".topics").textContent()) ?? "", /Sales|128/);
    assert.match((await row(page, 883).locator(".topics").textContent()) ?? "", /Support|574/);
    assert.equal(await row(page, 1).locator(".you").isVisible(), true, "own row marked");
    assert.equal(await page.locator("#whoami").textContent(), "User tje0");
    for (const id of [1, 589, 883, 900]) assert.equal(await toggle(page, id).isEnabled(), true);

    // A change through the REST API reaches the open page in under a second.
    const started = performance.now();
    await saveAsAdmin(server, [{ UserId: 589, Present: true }]);
    await row(page, 589).and(page.locator('[data-present="true"]')).waitFor({ timeout: 1000 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `the change took ${elapsed.toFixed(0)} ms to show`);
    assert.equal(await toggle(page, 589).isChecked(), true);

    // A toggle on the page shows in GetAll: the admin's own, and someone else's.
    await toggle(page, 1).click();
    await row(page, 1).and(page.locator('[data-present="true"]')).waitFor({ timeout: 2000 });
    assert.equal(await presentOf(server, 1), true);
    await toggle(page, 883).click();
    await row(page, 883).and(page.locator('[data-present="true"]')).waitFor({ timeout: 2000 });
    assert.equal(await presentOf(server, 883), true);

    // Filters: by topic, then by presence.
    const topicFilter = page.getByLabel("Topic", { exact: true });
    const sales = await topicFilter
      .locator("option", { hasText: /Sales|128/ })
      .getAttribute("value");
    assert.equal(sales, "128");
    await topicFilter.selectOption("128");
    assert.deepEqual(await visibleRows(page), [883]);
    await topicFilter.selectOption("");
    await page.getByLabel("Presence", { exact: true }).selectOption("away");
    assert.deepEqual(await visibleRows(page), [900]);
    await page.getByLabel("Presence", { exact: true }).selectOption("present");
    assert.deepEqual((await visibleRows(page)).sort(), [1, 589, 883]);
    await page.getByLabel("Presence", { exact: true }).selectOption("");

    await page.screenshot({
      path: join(OUTPUT, "dashboard.png"),
      fullPage: true,
      animations: "disabled",
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({
      path: join(OUTPUT, "dashboard-phone.png"),
      fullPage: true,
      animations: "disabled",
    });
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= 390),
      "no horizontal scrolling at phone width",
    );

    // Sign out: back to the form, and a reload stays there.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("a topic's name reaching the page rewrites only the rows that show that topic", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The name of topic 128 (Sales, in kuhn's row only) is held back until the rows are marked.
    let releaseSales = () => {};
    const salesHeld = new Promise<void>((resolve) => {
      releaseSales = resolve;
    });
    await context.route("**/api/v1/ChatTopic/128", async (route) => {
      await salesHeld;
      await route.continue();
    });
    const { page, problems } = await signIn(context, server, "tje0", "Tje0");
    const topics = (userId: number) => row(page, userId).locator(".topics");
    await topics(883).filter({ hasText: "Topic 128" }).waitFor();
    await topics(883).filter({ hasText: "Support" }).waitFor();

    await page.evaluate(startWatchingRows);
    releaseSales();
    await topics(883).filter({ hasText: "Sales" }).waitFor();
    const watched = await page.evaluate(stopWatchingRows);

    assert.deepEqual(watched.replacedRows, [], "every row is still the same element");
    assert.deepEqual(watched.touchedRows, ["883"], "only the row showing topic 128 changed");
    assert.deepEqual(watched.touchedChips, ["Sales"], "and in it, only that topic's chip");
    assert.match((await topics(883).textContent()) ?? "", /Sales.*Support/);
    assert.equal(
      await page.getByLabel("Topic", { exact: true }).locator('option[value="128"]').textContent(),
      "Sales",
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("agent: may toggle only their own presence", async () => {
    await saveAsAdmin(server, [
      { UserId: 883, Present: false },
      { UserId: 589, Present: false },
    ]);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, problems } = await signIn(context, server, "kuhn", PASSWORD, "signin-phone.png");
    await row(page, 589).waitFor();

    assert.equal(await toggle(page, 883).isEnabled(), true);
    for (const id of [1, 589, 900]) assert.equal(await toggle(page, id).isEnabled(), false);
    assert.equal(
      await page.getByRole("switch", { name: "Present User kuhn" }).count(),
      1,
      "the switch is labelled with the user",
    );

    // Own toggle, with the keyboard.
    await toggle(page, 883).focus();
    await page.keyboard.press("Space");
    await row(page, 883).and(page.locator('[data-present="true"]')).waitFor({ timeout: 2000 });
    assert.equal(await presentOf(server, 883), true);

    // A forced request for someone else is refused by the server.
    const forced = await page.evaluate(async () => {
      const xsrf = decodeURIComponent(document.cookie.match(/XSRF-TOKEN=([^;]+)/)?.[1] ?? "");
      const response = await fetch("/api/v1/Presence/SaveAll", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-XSRF-TOKEN": xsrf },
        body: JSON.stringify([{ UserId: 589, Present: true }]),
      });
      return { status: response.status, body: await response.json() };
    });
    assert.equal(forced.status, 403);
    assert.equal(await presentOf(server, 589), false);

    // Forcing the disabled switch shows the server's message and leaves the row as it was.
    await toggle(page, 589).evaluate((input: HTMLInputElement) => {
      input.disabled = false;
      input.click();
    });
    await page.getByRole("alert").filter({ hasText: forced.body.Message }).waitFor();
    assert.equal(await toggle(page, 589).isChecked(), false);
    assert.equal(await toggle(page, 589).isEnabled(), false);
    await page.screenshot({
      path: join(OUTPUT, "dashboard-agent-phone.png"),
      fullPage: true,
      animations: "disabled",
    });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
