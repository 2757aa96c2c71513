/**
 * The bench's D1 meter: statements counted by path (a batch counts each statement, one round
 * trip), the Worker's entry points and Durable Object methods each counted under their path, and
 * the counts route only present while the meter is on in dev mode.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { d1Counts, onPath, resetD1Counts } from "../../src/metering/d1-meter";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { ORIGIN } from "./helpers/worker";

const METERED = { ...env, STEPFLARE_COUNT_D1: "true" };

async function call(bindings: typeof env, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("D1 meter", () => {
  it("serves its counts only while switched on, and never in production mode", async () => {
    expect((await call(env, "/_bench/d1")).status).toBe(404);
    const signingKey = "signkey-test-0123456789abcdef";
    const production = { ...METERED, INNGEST_SIGNING_KEY: signingKey };
    expect((await call(production, "/_bench/d1", { headers: { authorization: `Bearer ${signingKey}` } })).status).toBe(404);
    const on = await call(METERED, "/_bench/d1");
    expect(on.status).toBe(200);
    expect(await on.json()).toHaveProperty("paths");
  });

  it("counts each statement under the path it was sent on; a batch is one round trip", async () => {
    await call(METERED, "/_bench/d1/reset", { method: "POST" });
    const select = () => env.DB.prepare("SELECT 1 AS one");
    await onPath("t-single", async () => {
      await select().first();
      await select().all();
      await select().run();
      await select().raw();
    });
    await onPath("t-batch", () => env.DB.batch([select(), select(), select()]));
    const counts = d1Counts();
    expect(counts["t-single"]).toEqual({ statements: 4, queries: 4 });
    expect(counts["t-batch"]).toEqual({ statements: 3, queries: 1 });
    resetD1Counts();
    expect(d1Counts()).toEqual({});
  });

  it("counts a request's D1 work under its path, whatever it awaits on the way", async () => {
    await call(METERED, "/_bench/d1/reset", { method: "POST" });
    expect((await call(METERED, "/v0/apps")).status).toBe(200);
    const res = await call(METERED, "/e/test-key", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ name: "meter/ingested", data: {} }]),
    });
    expect(res.status).toBe(200);
    const { paths } = (await (await call(METERED, "/_bench/d1")).json()) as { paths: Record<string, { statements: number }> };
    expect(paths.api?.statements).toBeGreaterThan(0);
    // Nothing this test sent was counted outside a named path.
    expect(paths.other).toBeUndefined();
  });

  it("counts a Durable Object's D1 work under its own path, not its caller's", async () => {
    await call(METERED, "/_bench/d1/reset", { method: "POST" });
    // The scheduler's heartbeat reads D1 (events to re-drive, overdue runs).
    await onPath("t-caller", () => env.SCHEDULER.getByName(SCHEDULER_NAME).beat());
    const counts = d1Counts();
    expect(counts.scheduler?.statements).toBeGreaterThan(0);
    expect(counts["t-caller"]).toBeUndefined();
  });
});
