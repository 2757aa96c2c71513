import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumInstall } from "./chromium";

/** Quiet, offline, sandbox-free flags for a headless Chromium in a container. */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where screenshots go for a reviewer to look at; git-ignored. */
export const ARTIFACTS = resolve(import.meta.dirname, "../../../test-artifacts/ui");

/** A headless Chromium with its own fresh profile, and one page. */
export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh `--user-data-dir` (Playwright passes it for a persistent
 * context, which is how it accepts one), so no state leaks between runs.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const install = await chromiumInstall();
  const profile = mkdtempSync(join(tmpdir(), "stepflare-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: install.executablePath,
    env: { ...process.env, ...install.env },
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as `test-artifacts/ui/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
