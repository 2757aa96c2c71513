/**
 * `GET /dev` as the Worker answers it from the variables the dev process sets
 * (scripts/dev/start-opts-vars.mjs): the start options it reports are the process's, and
 * nothing but them.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { DevServerInfo } from "inngest/types";
import { describe, expect, it } from "vitest";
import { version } from "../../package.json";
import { app } from "../../src/api/app";
import type { Env } from "../../src/env";

async function devInfo(vars: Partial<Env>): Promise<DevServerInfo> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request("http://127.0.0.1:8288/dev"), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return res.json();
}

describe("GET /dev", () => {
  it("reports discovery and the -u URLs as the dev process set them", async () => {
    const urls = ["http://127.0.0.1:3000/api/inngest", "http://127.0.0.1:3001/x?a=1,b"];
    const on = await devInfo({ STEPFLARE_DEV_AUTODISCOVER: "true", STEPFLARE_DEV_SDK_URLS: JSON.stringify(urls) });
    expect(on).toMatchObject({ version, authed: false, startOpts: { autodiscover: true, urls }, handlers: [] });
    const off = await devInfo({ STEPFLARE_DEV_AUTODISCOVER: "false", STEPFLARE_DEV_SDK_URLS: "[]" });
    expect(off.startOpts).toEqual({ autodiscover: false, urls: [] });
  });

  it("reports no discovery and no URL for a Worker the dev process did not start, or with unreadable settings", async () => {
    expect((await devInfo({})).startOpts).toEqual({ autodiscover: false, urls: [] });
    const garbled = await devInfo({ STEPFLARE_DEV_AUTODISCOVER: "yes", STEPFLARE_DEV_SDK_URLS: "http://a.test" });
    expect(garbled.startOpts).toEqual({ autodiscover: false, urls: [] });
    expect((await devInfo({ STEPFLARE_DEV_SDK_URLS: '[1, "x"]' })).startOpts.urls).toEqual([]);
  });

  it("names no URL in production mode, where the route is open", async () => {
    const info = await devInfo({
      INNGEST_SIGNING_KEY: "signkey-prod-0123456789abcdef",
      STEPFLARE_DEV_AUTODISCOVER: "true",
      STEPFLARE_DEV_SDK_URLS: '["http://app.test/api/inngest"]',
    });
    expect(info.startOpts).toEqual({ autodiscover: true, urls: [] });
    expect(info.functions).toEqual([]);
  });
});
