/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * dev server and an app built with the official SDK: sync an app from the Apps page, send an
 * event from the header, follow its run to the waterfall, and cancel a sleeping run.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "../e2e/harness/app";
import { startDevServer, type DevServer } from "../e2e/harness/dev-server";
import { sendEvents } from "../e2e/harness/server-api";
import { launchBrowser, screenshot, type TestBrowser } from "./harness/browser";

const APP_ID = "ui-app";
/** How long the page may take to show something that polling brings in. */
const SEEN_MS = 20_000;

let server: DevServer;
let app: TestApp;
let browser: TestBrowser;
let page: Page;
/** Script errors in the page; any is a failure. */
const pageErrors: Error[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
  page = browser.page;
  const inngest = devClient(APP_ID, server.url);
  app = await serveApp(inngest, [
    inngest.createFunction({ id: "greet", triggers: { event: "ui/greet" } }, async ({ event, step }) => {
      const user = await step.run("load-user", () => ({ id: event.data.userId as number, name: "Ada" }));
      await step.sleep("short-pause", "1s");
      const greeting = await step.run("compose-greeting", () => `Hello, ${user.name}!`);
      return { greeting };
    }),
    inngest.createFunction({ id: "napper", triggers: { event: "ui/nap" } }, async ({ step }) => {
      await step.run("before-nap", () => "awake");
      await step.sleep("long-nap", "10m");
      await step.run("after-nap", () => "rested");
    }),
  ]);
  page.on("pageerror", (err) => pageErrors.push(err));
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await server?.dispose();
});

/** Opens the run of the newest row in the runs list for `fn` and returns its id. */
async function openNewestRun(fn: string): Promise<string> {
  await page.goto(`${server.url}/runs`);
  const row = page.locator("table.runs tbody tr", { hasText: fn }).first();
  await row.waitFor({ timeout: SEEN_MS });
  const runId = (await row.getAttribute("data-run"))!;
  // The row's centre may fall on its trigger event's link (it depends on the font's widths).
  await row.locator("td").first().click();
  await page.waitForURL(`**/runs/${runId}`);
  return runId;
}

describe("dashboard", () => {
  it("tells a new user how to connect, then shows the app synced from the Apps page", async () => {
    await page.goto(`${server.url}/apps`);
    const onboarding = page.locator(".empty");
    await expect.poll(() => onboarding.textContent()).toContain("No apps synced yet");
    expect(await onboarding.textContent()).toContain(`INNGEST_DEV=${server.url}`);

    await page.fill("input[name=url]", app.url);
    await page.click("button:has-text('Sync app')");
    const card = page.locator(`[data-app="${APP_ID}"]`);
    await card.waitFor({ timeout: SEEN_MS });
    expect(await card.textContent()).toContain(app.url);

    await page.click("nav >> text=Functions");
    await page.locator(`[data-function="${APP_ID}-greet"]`).waitFor();
    expect(await page.locator(`[data-function="${APP_ID}-greet"]`).textContent()).toContain("ui/greet");
  });

  it("sends a test event from the header and shows the run it started in the runs list", async () => {
    await page.goto(`${server.url}/runs`);
    await page.click("#send-event");
    await page.fill(".modal textarea", "{ not json");
    expect(await page.locator(".modal .invalid").textContent()).toContain("Not valid JSON");
    expect(await page.locator(".modal button.primary").isDisabled()).toBe(true);
    await page.fill(".modal textarea", JSON.stringify({ name: "ui/greet", data: { userId: 42 } }));
    await page.click(".modal button.primary");
    await page.locator(".toast", { hasText: "Sent 1 event" }).waitFor();

    const row = page.locator("table.runs tbody tr", { hasText: "greet" }).first();
    await row.waitFor({ timeout: SEEN_MS });
    expect(await row.textContent()).toContain("ui/greet");
  });

  it("shows the run's steps with their outputs on a waterfall, sleep included", async () => {
    await openNewestRun("greet");
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    for (const step of ["load-user", "short-pause", "compose-greeting"]) {
      await page.locator(`.wf-row[data-step="${step}"]`).waitFor();
    }
    expect(await page.locator('.wf-row[data-step="short-pause"] .wf-bar').getAttribute("class")).toContain("wait");

    await page.click('.wf-row[data-step="load-user"]');
    await page.click('.wf-row[data-step="compose-greeting"]');
    const details = page.locator(".wf-detail");
    await expect.poll(() => details.count()).toBe(2);
    expect(await details.nth(0).textContent()).toContain('"name": "Ada"');
    expect(await details.nth(1).textContent()).toContain('"Hello, Ada!"');
    expect(await page.locator("main").textContent()).toContain('"greeting": "Hello, Ada!"');
    await screenshot(page, "run-timeline");
  });

  it("reruns a run from a chosen step, reusing the results before it", async () => {
    await openNewestRun("greet");
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    await page.click('.wf-row[data-step="compose-greeting"]');
    await page.click(".wf-detail button:has-text('Rerun from this step')");
    await page.locator("text=Rerun of").waitFor({ timeout: SEEN_MS });
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain("from step compose-greeting");
    // The earlier steps were not run again, so they have no rows of their own.
    expect(await page.locator(".wf-row.step").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")))).toEqual(["compose-greeting"]);
  });

  it("invokes a function with a payload from the functions page", async () => {
    await page.goto(`${server.url}/functions`);
    await page.click(`[data-function="${APP_ID}-greet"] button:has-text('Invoke')`);
    await page.fill(".modal textarea", JSON.stringify({ data: { userId: 7 } }));
    await page.click(".modal button.primary");
    await page.waitForURL("**/events/*");
    const run = page.locator("main table tr", { hasText: `${APP_ID}-greet` });
    await run.waitFor({ timeout: SEEN_MS });
    await run.click();
    await page.locator("h1 .pill.completed").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain('"userId": 7');
  });

  it("searches the event stream by a field of the event's data", async () => {
    await sendEvents(server.url, [{ name: "ui/lookup", data: { userId: 1001 } }, { name: "ui/lookup", data: { userId: 1002 } }]);
    await page.goto(`${server.url}/events`);
    await page.fill("input[name=field]", "data.userId=1002");
    await page.click("button:has-text('Search')");
    await expect.poll(() => page.locator("main table tbody tr").allTextContents(), { timeout: SEEN_MS }).toEqual([
      expect.stringContaining('{"userId":1002}'),
    ]);
    expect(page.url()).toContain("field=data.userId%3D1002");
  });

  it("cancels a sleeping run from its page", async () => {
    await sendEvents(server.url, { name: "ui/nap", data: {} });
    await openNewestRun("napper");
    await page.locator('.wf-row[data-step="long-nap"] .lbl', { hasText: "sleeping" }).waitFor({ timeout: SEEN_MS });

    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("button:has-text('Cancel run')");
    await page.locator("h1 .pill.cancelled").waitFor({ timeout: SEEN_MS });
    expect(await page.locator("main").textContent()).toContain("FunctionCancelledError");
    expect(await page.locator('.wf-row[data-step="after-nap"]').count()).toBe(0);
  });
});
