/**
 * The bench's phase timing: the phases of a request recorded in the order the work happens, the
 * route serving them only while timing is on in dev mode, and a reset that starts again.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { PhaseClock, phaseSummaries, recordPhase, resetPhases } from "../../src/metering/phase-timing";
import { ORIGIN } from "./helpers/worker";

const TIMED = { ...env, STEPFLARE_TIME_PHASES: "true" };

async function call(bindings: typeof env, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

type Phases = Record<string, { n: number; mean: number; p50: number; p95: number }>;

describe("phase timing", () => {
  it("serves its phases only while switched on, and never in production mode", async () => {
    expect((await call(env, "/_bench/phases")).status).toBe(404);
    expect((await call(env, "/_bench/phases/reset", { method: "POST" })).status).toBe(404);
    const signingKey = "signkey-test-0123456789abcdef";
    const production = { ...TIMED, INNGEST_SIGNING_KEY: signingKey };
    expect((await call(production, "/_bench/phases", { headers: { authorization: `Bearer ${signingKey}` } })).status).toBe(404);
    const on = await call(TIMED, "/_bench/phases");
    expect(on.status).toBe(200);
    expect(await on.json()).toHaveProperty("phases");
  });

  it("times each phase of an ingest request, in the order the work happens", async () => {
    expect((await call(TIMED, "/_bench/phases/reset", { method: "POST" })).status).toBe(200);
    const res = await call(TIMED, "/e/test-key", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "phases/ingested", data: {} }),
    });
    expect(res.status).toBe(200);
    const { phases } = (await (await call(TIMED, "/_bench/phases")).json()) as { phases: Phases };
    const ingest = Object.keys(phases).filter((name) => name.startsWith("ingest.") && !name.startsWith("ingest.shard.") && !name.startsWith("ingest.count."));
    expect(ingest).toEqual(["ingest.route", "ingest.body", "ingest.parse", "ingest.ids", "ingest.shards", "ingest.queue", "ingest.answer", "ingest.handler"]);
    for (const name of ingest) {
      expect(phases[name]!.n).toBe(1);
      expect(phases[name]!.p50).toBeGreaterThanOrEqual(0);
    }
    // Beside the phases, counts of how far concurrent requests were grouped: one request alone here.
    expect(phases["ingest.count.events_per_shard_call"]).toMatchObject({ n: 1, p50: 1 });
    expect(phases["ingest.count.messages_per_queue_send"]).toMatchObject({ n: 1, p50: 1 });
  });

  it("summarises samples (n, mean, p50, p95), laps from one clock, and forgets them on reset", () => {
    resetPhases();
    for (const ms of [1, 2, 3, 4, 100]) recordPhase("t.sample", ms);
    const clock = new PhaseClock("t.clock");
    clock.lap("first");
    clock.total();
    const summaries = phaseSummaries();
    expect(summaries["t.sample"]).toEqual({ n: 5, mean: 22, p50: 3, p95: 100 });
    expect(Object.keys(summaries)).toEqual(["t.sample", "t.clock.first", "t.clock.total"]);
    resetPhases();
    expect(phaseSummaries()).toEqual({});
  });
});
