/**
 * Signing in to the dashboard in a real browser under a site path and in online mode (with an
 * application token), each on a server of its own.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { ADMIN, launchChromium, type Presence, row, toggle } from "./support/dashboard.ts";
import { startTestServer } from "./support/server.ts";

describe("dashboard sign-in (chromium)", () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("under a site path: signs in, follows the stream and saves, all under the base path", async () => {
    const site = await startTestServer({ basePath: "/SuperOffice" });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const outside: string[] = [];
      page.on("request", (request) => {
        const { pathname } = new URL(request.url());
        if (pathname !== "/SuperOffice" && !pathname.startsWith("/SuperOffice/"))
          outside.push(pathname);
      });
      await page.goto(`${site.url}/SuperOffice`);
      await page.getByLabel("Username").fill("tje0");
      await page.getByLabel("Password").fill("Tje0");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Chat users" }).waitFor();
      await page.locator('#conn[data-state="live"]').waitFor();
      assert.equal(await page.locator("li.user").count(), 4);
      await toggle(page, 589).click();
      await row(page, 589).and(page.locator('[data-present="true"]')).waitFor({ timeout: 2000 });
      const list = await site.fetch("/SuperOffice/api/v1/Presence/GetAll", { headers: ADMIN });
      const saved = ((await list.json()) as Presence[]).find((p) => p.UserId === 589);
      assert.equal(saved?.Present, true);
      assert.deepEqual(outside, [], "every request the page made was under the base path");
    } finally {
      await context.close();
      await site.close();
    }
  });

  it("online mode: the sign-in asks for the application token and signs in with it", async () => {
    const online = await startTestServer({ online: true });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${online.url}/`);
      await page.getByLabel("Username").fill("tje0");
      await page.getByLabel("Password").fill("Tje0");
      await page.keyboard.press("Enter");
      await page.getByText("This server needs an application token to sign in.").waitFor();
      assert.ok(await page.getByLabel("Application token").isVisible());
      await page.getByLabel("Application token").fill("not-registered");
      await page.keyboard.press("Enter");
      await page.getByText("The application token is not registered.").waitFor();
      await page.getByLabel("Application token").fill("app-123");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Chat users" }).waitFor();
      await page.locator('#conn[data-state="live"]').waitFor();
    } finally {
      await context.close();
      await online.close();
    }
  });
});
