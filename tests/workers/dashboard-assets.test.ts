/**
 * The dashboard's scripts as the Worker serves them: its own, bundled from src/dashboard/client by
 * scripts/build-dashboard.mjs, and the charting library's.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app";

async function get(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://127.0.0.1:8288${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the dashboard's scripts", () => {
  it("serves the client bundle as one classic script, with no module syntax and no TypeScript left", async () => {
    const res = await get("/_dashboard/app.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const script = await res.text();
    // An IIFE: the page loads it with a plain <script>, and nothing leaks into the global scope.
    expect(script).toMatch(/^"use strict";\s*\(\(\) => \{/);
    expect(script.trimEnd()).toMatch(/\}\)\(\);$/);
    expect(script).not.toMatch(/^\s*(import|export)\s/m);
    expect(script).not.toMatch(/\binterface \w+ \{/);
    // Every page is in it.
    for (const path of ["/v0/runs", "/v0/events", "/v0/apps", "/v0/metrics", "/_dashboard/uplot.js"]) expect(script).toContain(path);
  });

  it("serves the charting library it loads on the metrics pages", async () => {
    const res = await get("/_dashboard/uplot.js");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("uPlot");
  });
});
