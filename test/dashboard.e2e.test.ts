/**
 * The dashboard end to end in a real browser: Debian's chromium driven by playwright-core.
 * `.ci/run` installs chromium when it is missing; without it this test fails, it never skips.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { DASHBOARD_CSP, WEB_DIR } from "../src/http/system/dashboard.ts";
import { basic, PASSWORD, startTestServer, type TestServer } from "./support/server.ts";

const CHROMIUM = "/usr/bin/chromium";
const OUTPUT = join(import.meta.dirname, "..", "test-output");
const ADMIN = { Authorization: basic("tje0", "Tje0") };

interface Presence {
  UserId: number;
  Present: boolean;
}

async function getAll(server: TestServer): Promise<Presence[]> {
  const response = await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN });
  assert.equal(response.status, 200);
  return (await response.json()) as Presence[];
}

async function presentOf(server: TestServer, userId: number): Promise<boolean | undefined> {
  return (await getAll(server)).find((p) => p.UserId === userId)?.Present;
}

async function saveAsAdmin(server: TestServer, entries: Presence[]) {
  const response = await server.fetch("/api/v1/Presence/SaveAll", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

const row = (page: Page, userId: number) => page.locator(`li.user[data-user-id="${userId}"]`);
const toggle = (page: Page, userId: number) => row(page, userId).getByRole("switch");

/** Opens the dashboard and signs in through the form with the keyboard only. */
async function signIn(
  context: BrowserContext,
  server: TestServer,
  user: string,
  pass: string,
  screenshot?: string,
) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${server.url}/`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  if (screenshot) await page.screenshot({ path: join(OUTPUT, screenshot) });
  assert.ok(await page.getByLabel("Username").evaluate((el) => el === document.activeElement));
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(pass);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Chat users" }).waitFor();
  await page.locator('#conn[data-state="live"]').waitFor();
  return { page, problems };
}

describe("dashboard (chromium)", () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install it with \`apt-get install chromium\` (.ci/run does)`,
    );
    mkdirSync(OUTPUT, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
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

async function visibleRows(page: Page): Promise<number[]> {
  return page
    .locator("li.user:visible")
    .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.userId)));
}

interface RowWatch {
  rows: Map<string, Element>;
  records: MutationRecord[];
  observer: MutationObserver;
}

/** In the page: remembers every row element and records every mutation inside the list. */
function startWatchingRows() {
  const list = document.getElementById("users") as HTMLElement;
  const watch: RowWatch = {
    rows: new Map(
      [...list.children].map((row) => [(row as HTMLElement).dataset.userId ?? "", row]),
    ),
    records: [],
    observer: new MutationObserver((records) => watch.records.push(...records)),
  };
  watch.observer.observe(list, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });
  (window as unknown as { rowWatch: RowWatch }).rowWatch = watch;
}

/** In the page: which rows were replaced, and which rows and topic chips saw any mutation. */
function stopWatchingRows() {
  const watch = (window as unknown as { rowWatch: RowWatch }).rowWatch;
  watch.records.push(...watch.observer.takeRecords());
  watch.observer.disconnect();
  const replacedRows = [...watch.rows]
    .filter(([id, row]) => document.querySelector(`li.user[data-user-id="${id}"]`) !== row)
    .map(([id]) => id);
  const touched = watch.records.map((record) =>
    record.target instanceof Element ? record.target : record.target.parentElement,
  );
  const touchedRows = new Set(
    touched.map((node) => node?.closest("li.user")?.getAttribute("data-user-id")),
  );
  const touchedChips = new Set(touched.map((node) => node?.closest("li.chip")?.textContent));
  return { replacedRows, touchedRows: [...touchedRows], touchedChips: [...touchedChips] };
}
