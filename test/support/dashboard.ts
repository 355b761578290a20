/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, signing in
 * through the form, the REST calls tests check the page against, and row watchers for the page.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { basic, type TestServer } from "./server.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const OUTPUT = join(import.meta.dirname, "..", "test-output");
export const ADMIN = { Authorization: basic("tje0", "Tje0") };

export interface Presence {
  UserId: number;
  Present: boolean;
}

export async function getAll(server: TestServer): Promise<Presence[]> {
  const response = await server.fetch("/api/v1/Presence/GetAll", { headers: ADMIN });
  assert.equal(response.status, 200);
  return (await response.json()) as Presence[];
}

export async function presentOf(server: TestServer, userId: number): Promise<boolean | undefined> {
  return (await getAll(server)).find((p) => p.UserId === userId)?.Present;
}

export async function saveAsAdmin(server: TestServer, entries: Presence[]) {
  const response = await server.fetch("/api/v1/Presence/SaveAll", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify(entries),
  });
  assert.equal(response.status, 204, await response.text());
}

export const row = (page: Page, userId: number) =>
  page.locator(`li.user[data-user-id="${userId}"]`);
export const toggle = (page: Page, userId: number) => row(page, userId).getByRole("switch");

/** Opens the dashboard and signs in through the form with the keyboard only. */
export async function signIn(
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

/** Debian's chromium, headless; the test fails (never skips) when it is missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install it with \`apt-get install chromium\` (.ci/run does)`,
  );
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
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
}

export async function visibleRows(page: Page): Promise<number[]> {
  return page
    .locator("li.user:visible")
    .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.userId)));
}

export interface RowWatch {
  rows: Map<string, Element>;
  records: MutationRecord[];
  observer: MutationObserver;
}

/** In the page: remembers every row element and records every mutation inside the list. */
export function startWatchingRows() {
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
export function stopWatchingRows() {
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
