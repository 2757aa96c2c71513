/**
 * The RunObject driving the real official SDK in-process: the SDK's Cloudflare handler serves the
 * app at APP_URL through a stubbed global `fetch`, which the object's HTTP transport uses (Durable
 * Objects of the main Worker share the test isolate in this pool). Alarms are run by the tests.
 */
import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { rows, type EventRow } from "./helpers/d1";
import { DEFAULT_RETENTION_MS } from "../../src/constants";
import {
  alarmOf,
  alarmSettlesAt,
  clearAlarm,
  driveToEnd,
  evict,
  historyRun,
  historySteps,
  objectRows,
  runAlarm,
  runStart,
  runStub,
  skipBackoff,
} from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "ro";
const APP_URL = "http://app.test/api/inngest";
const WRONG_URL = "http://wrong.test/not-inngest";

/** How many times each step's body ran, by run and step name. */
const counts = new Map<string, number>();
function effect(runId: string, name: string): number {
  const n = (counts.get(`${runId}:${name}`) ?? 0) + 1;
  counts.set(`${runId}:${name}`, n);
  return n;
}
/** How many times step `name` of run `runId` ran (undefined: never). */
function ran(runId: string, name: string): number | undefined {
  return counts.get(`${runId}:${name}`);
}

let router: ReturnType<typeof installFetchRouter>;
/** Runs a test started, so their alarms can be cleared even when it fails. */
const started: string[] = [];

beforeAll(() => {
  router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "sequential", triggers: [{ event: "ro/seq" }] }, async ({ step, runId }) => {
      const a = await step.run("seq-a", () => (effect(runId, "seq-a"), 1));
      const b = await step.run("seq-b", () => (effect(runId, "seq-b"), a + 1));
      const c = await step.run("seq-c", () => (effect(runId, "seq-c"), { sum: a + b }));
      return { a, b, c };
    }),
    client.createFunction({ id: "parallel", triggers: [{ event: "ro/par" }] }, async ({ step, runId }) => {
      const [left, right] = await Promise.all([
        step.run("par-left", () => (effect(runId, "par-left"), "L")),
        step.run("par-right", () => (effect(runId, "par-right"), "R")),
      ]);
      const joined = await step.run("par-join", () => (effect(runId, "par-join"), `${left}${right}`));
      return joined;
    }),
    client.createFunction({ id: "flaky", triggers: [{ event: "ro/flaky" }] }, async ({ step, runId }) => {
      return step.run("flaky-step", () => {
        if (effect(runId, "flaky-step") === 1) throw new Error("first attempt fails");
        return "recovered";
      });
    }),
    client.createFunction({ id: "retry-after", triggers: [{ event: "ro/ra" }] }, async ({ step, runId }) => {
      return step.run("ra-step", () => {
        if (effect(runId, "ra-step") === 1) throw new RetryAfterError("come back in a second", 1000);
        return "on time";
      });
    }),
    client.createFunction({ id: "non-retriable", triggers: [{ event: "ro/nr" }] }, async ({ step, runId }) => {
      await step.run("nr-step", () => {
        effect(runId, "nr-step");
        throw new NonRetriableError("do not try again");
      });
      effect(runId, "nr-after");
    }),
    client.createFunction({ id: "always-fails", retries: 1, triggers: [{ event: "ro/fail" }] }, async ({ step, runId }) => {
      try {
        await step.run("fail-step", () => {
          effect(runId, "fail-step");
          throw new TypeError("boom");
        });
        return { caught: null };
      } catch (err) {
        return { caught: err instanceof Error ? { name: err.name, message: err.message } : String(err) };
      }
    }),
    client.createFunction({ id: "napper", triggers: [{ event: "ro/nap" }] }, async ({ step, runId }) => {
      const before = await step.run("nap-before", () => (effect(runId, "nap-before"), "b"));
      await step.sleep("nap", "1s");
      const after = await step.run("nap-after", () => (effect(runId, "nap-after"), "a"));
      return `${before}${after}`;
    }),
    client.createFunction({ id: "fetcher", triggers: [{ event: "ro/fetch" }] }, async ({ step }) => {
      const res = await step.fetch("http://api.test/quote");
      return { status: res.status, body: await res.json() };
    }),
  ];
  router.route("http://app.test", sdkHandler(client, functions));
  // The third-party API a `step.fetch` calls; the server makes the request on the run's behalf.
  router.route("http://api.test", () => Response.json({ quote: "stay durable" }, { headers: { "x-source": "api" } }));
  // A server that answers 200 but is not an Inngest SDK: what a wrong app URL looks like.
  router.route("http://wrong.test", () => new Response("<html>hello</html>", { status: 200 }));
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

/** Starts a run of `fn` and returns its id. */
async function start(fn: string, event: string, overrides: Parameters<typeof runStart>[4] = {}) {
  const input = runStart(APP_URL, APP_ID, fn, event, overrides);
  started.push(input.runId);
  expect(await runStub(input.runId).start(input)).toEqual({ created: true });
  return input;
}

/** The D1 history row once it reports `status` (history is copied off the step path). */
function historyWhen(runId: string, status: string) {
  return waitFor(`history of ${runId} to be ${status}`, async () => {
    const row = await historyRun(runId);
    return row?.status === status ? row : undefined;
  });
}

/** Requests the app received for a run. */
function requestsOf(runId: string) {
  return router.seen.filter((r) => r.body.includes(runId)).map((r) => ({ ...r, json: JSON.parse(r.body) as CallBody }));
}

interface CallBody {
  steps: Record<string, unknown>;
  ctx: { run_id: string; attempt: number; max_attempts: number; stack: { stack: string[] } };
}

describe("RunObject with the official SDK", () => {
  it("runs sequential steps once each, memoises their outputs and records history", async () => {
    const { runId, functionId, eventId } = await start("sequential", "ro/seq");
    const { run } = await driveToEnd(runId);
    expect(run).toMatchObject({ id: runId, function_id: functionId, event_id: eventId, status: "completed" });
    expect([ran(runId, "seq-a"), ran(runId, "seq-b"), ran(runId, "seq-c")]).toEqual([1, 1, 1]);

    // Async checkpointing: one request to the app runs all three steps, each reported to the
    // server as it finishes, in order.
    const requests = requestsOf(runId);
    expect(requests.filter((r) => r.url.startsWith(APP_URL))).toHaveLength(1);
    const checkpoints = requests.filter((r) => new URL(r.url).pathname === `/v1/checkpoint/${runId}/async`);
    const reported = checkpoints.flatMap((r) => (JSON.parse(r.body) as { steps: { id: string; data: unknown }[] }).steps);
    expect(reported.map((step) => step.data)).toEqual([1, 2, { sum: 3 }]);

    const history = await historyWhen(runId, "completed");
    expect(history).toMatchObject({ function_id: functionId, app_id: APP_ID, event_id: eventId, error: null });
    expect(JSON.parse(history.output!)).toEqual({ a: 1, b: 2, c: { sum: 3 } });
    expect(history.started_at).toBeGreaterThanOrEqual(history.queued_at);
    expect(history.ended_at).toBeGreaterThanOrEqual(history.started_at!);

    const steps = await historySteps(runId);
    expect(steps.map((s) => [s.name, s.op, s.status, s.attempts, s.output, s.seq])).toEqual([
      ["seq-a", "StepRun", "completed", 1, "1", 0],
      ["seq-b", "StepRun", "completed", 1, "2", 1],
      ["seq-c", "StepRun", "completed", 1, '{"sum":3}', 2],
    ]);
    expect(steps.map((s) => s.step_id)).toEqual(reported.map((step) => step.id));
    // Once its history is confirmed, the ended run's only alarm is the end of its retention.
    await alarmSettlesAt(runId, run.ended_at! + DEFAULT_RETENTION_MS);
  });

  it("starting the same run again changes nothing", async () => {
    const input = await start("sequential", "ro/seq");
    const { run } = await driveToEnd(input.runId);
    await alarmSettlesAt(input.runId, run.ended_at! + DEFAULT_RETENTION_MS);
    const before = await runStub(input.runId).status();
    expect(await runStub(input.runId).start({ ...input, queuedAt: input.queuedAt + 5_000 })).toEqual({ created: false });
    expect(await runStub(input.runId).status()).toEqual(before);
    expect(await alarmOf(input.runId)).toBe(run.ended_at! + DEFAULT_RETENTION_MS);
  });

  it("runs parallel steps as separate requests, each once, then continues", async () => {
    const { runId } = await start("parallel", "ro/par");
    await driveToEnd(runId);
    expect([ran(runId, "par-left"), ran(runId, "par-right"), ran(runId, "par-join")]).toEqual([1, 1, 1]);

    const history = await historyWhen(runId, "completed");
    expect(JSON.parse(history.output!)).toBe("LR");
    const steps = await historySteps(runId);
    expect(steps.map((s) => [s.name, s.status, s.output]).sort()).toEqual([
      ["par-join", "completed", '"LR"'],
      ["par-left", "completed", '"L"'],
      ["par-right", "completed", '"R"'],
    ]);
    // Both planned steps were requested by their own step id, not found by discovery.
    const targeted = new Set(requestsOf(runId).map((r) => r.stepId));
    for (const name of ["par-left", "par-right"]) {
      expect(targeted).toContain(steps.find((s) => s.name === name)!.step_id);
    }
  });

  it("retries a failing step after the backoff table's delay, then memoises its success", async () => {
    const t0 = Date.now();
    const { runId } = await start("flaky", "ro/flaky");
    await runAlarm(runId);
    // The first attempt failed: the step is retried in 15 s plus up to 30 s of jitter.
    const [call] = await waitFor("the retry to be scheduled", async () => {
      const calls = await objectRows<{ attempt: number; due_at: number }>(runId, "SELECT attempt, due_at FROM calls");
      return calls[0]?.attempt === 1 ? calls : undefined;
    });
    const t1 = Date.now();
    expect(call!.due_at).toBeGreaterThanOrEqual(t0 + 15_000);
    expect(call!.due_at).toBeLessThanOrEqual(t1 + 45_000);
    // Until the consumer confirms the history sent, the alarm may ring earlier to send it again.
    await alarmSettlesAt(runId, call!.due_at);
    expect((await runStub(runId).status())?.status).toBe("running");
    const errored = await waitFor("the failed attempt in history", async () => {
      const [step] = await historySteps(runId);
      return step?.status === "errored" ? step : undefined;
    });
    expect(errored).toMatchObject({ name: "flaky-step", attempts: 1 });
    expect(JSON.parse(errored.error!)).toMatchObject({ name: "Error", message: "first attempt fails" });

    await skipBackoff(runId);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(ran(runId, "flaky-step")).toBe(2);
    // The retry went out as attempt 1.
    expect(requestsOf(runId).map((r) => r.json.ctx.attempt)).toContain(1);
    const history = await historyWhen(runId, "completed");
    expect(JSON.parse(history.output!)).toBe("recovered");
    expect(await historySteps(runId)).toMatchObject([{ name: "flaky-step", status: "completed", attempts: 2, error: null }]);
  });

  it("honours RetryAfterError's delay instead of the backoff table", async () => {
    const t0 = Date.now();
    const { runId } = await start("retry-after", "ro/ra");
    await runAlarm(runId);
    const [call] = await waitFor("the retry to be scheduled", async () => {
      const calls = await objectRows<{ attempt: number; due_at: number }>(runId, "SELECT attempt, due_at FROM calls");
      return calls[0]?.attempt === 1 ? calls : undefined;
    });
    // Exactly a second after the answer, which came between t0 and t1: no table, no jitter.
    const t1 = Date.now();
    expect(call!.due_at).toBeGreaterThanOrEqual(t0 + 1_000);
    expect(call!.due_at).toBeLessThanOrEqual(t1 + 1_000);
    // No backoff is skipped here: the run completes once the second has passed.
    const { run } = await driveToEnd(runId, { timeoutMs: 5_000 });
    expect(run.status).toBe("completed");
    expect(ran(runId, "ra-step")).toBe(2);
    expect(JSON.parse((await historyWhen(runId, "completed")).output!)).toBe("on time");
  });

  it("fails at once on NonRetriableError, storing the error in the run and the step", async () => {
    const { runId } = await start("non-retriable", "ro/nr");
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("failed");
    expect(ran(runId, "nr-step")).toBe(1);
    expect(ran(runId, "nr-after")).toBeUndefined();
    const history = await historyWhen(runId, "failed");
    expect(history.output).toBeNull();
    expect(JSON.parse(history.error!)).toMatchObject({ name: "NonRetriableError", message: "do not try again" });
    expect(await historySteps(runId)).toMatchObject([{ name: "nr-step", status: "failed", attempts: 1 }]);

    // The end of the run is announced with the system events that drive onFailure and invoke.
    const emitted = await waitFor("the run's end events", async () => {
      const found = await rows<EventRow>("SELECT * FROM events WHERE data ->> '$.data.run_id' = ? ORDER BY name", runId);
      return found.length === 2 ? found : undefined;
    });
    expect(emitted.map((e) => e.name)).toEqual(["inngest/function.failed", "inngest/function.finished"]);
    expect(JSON.parse(emitted[1]!.data).data.error).toMatchObject({ name: "NonRetriableError" });
  });

  it("stores a step's error after its last attempt, which the function can catch", async () => {
    // retries: 1 → two attempts.
    const { runId } = await start("always-fails", "ro/fail", { maxAttempts: 2 });
    await runAlarm(runId);
    await waitFor("the retry to be scheduled", async () => {
      const calls = await objectRows<{ attempt: number }>(runId, "SELECT attempt FROM calls");
      return calls[0]?.attempt === 1 ? true : undefined;
    });
    await skipBackoff(runId);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(ran(runId, "fail-step")).toBe(2);

    const history = await historyWhen(runId, "completed");
    // The SDK rethrows the stored error in the function, under the original error's name.
    expect(JSON.parse(history.output!)).toEqual({ caught: { name: "TypeError", message: "boom" } });
    const [step] = await historySteps(runId);
    expect(step).toMatchObject({ name: "fail-step", status: "failed", attempts: 2, output: null });
    expect(JSON.parse(step!.error!)).toMatchObject({ name: "TypeError", message: "boom" });
    // The memo the SDK replays is the error itself.
    const last = requestsOf(runId).at(-1)!.json;
    expect(last.steps[step!.step_id]).toMatchObject({ error: { name: "TypeError", message: "boom" } });
  });

  /** Starts a napper run and drives it until it sleeps, with its first step done and copied to D1. */
  async function napUntilAsleep(): Promise<string> {
    const { runId } = await start("napper", "ro/nap");
    await runAlarm(runId);
    await waitFor("the run to sleep", async () => {
      const waits = await objectRows<{ kind: string }>(runId, "SELECT kind FROM waits");
      return waits[0]?.kind === "sleep" ? true : undefined;
    });
    await waitFor("the finished step in history", async () => {
      const [step] = await historySteps(runId);
      return step?.status === "completed" ? step : undefined;
    });
    return runId;
  }

  /** Completes a napper run that was restarted while asleep, and checks nothing ran twice. */
  async function finishNap(runId: string) {
    const { run } = await driveToEnd(runId, { timeoutMs: 5_000 });
    expect(run.status).toBe("completed");
    expect([ran(runId, "nap-before"), ran(runId, "nap-after")]).toEqual([1, 1]);
    expect(JSON.parse((await historyWhen(runId, "completed")).output!)).toBe("ba");
    const steps = await historySteps(runId);
    expect(steps.map((s) => [s.name, s.op, s.status])).toEqual([
      ["nap-before", "StepRun", "completed"],
      ["nap", "Sleep", "completed"],
      ["nap-after", "StepRun", "completed"],
    ]);
    return run;
  }

  it("leaves no timer pending once its calls are answered, so the object can be evicted", async () => {
    // Durable Objects stay in memory while a timer is pending (compatibility date 2026-10-01+).
    // A call's 2 h AbortSignal.timeout outlives the call, pinning every run that ever made one.
    const { runId } = await start("sequential", "ro/seq");
    await driveToEnd(runId);
    await historyWhen(runId, "completed");
    await expect(evict(runId)).resolves.toBeUndefined();
  }, 10_000);

  it("makes a step.fetch request itself and leaves no timer pending after it either", async () => {
    const { runId } = await start("fetcher", "ro/fetch");
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(router.to("http://api.test/quote")).toHaveLength(1);
    expect(JSON.parse((await historyWhen(runId, "completed")).output!)).toEqual({ status: 200, body: { quote: "stay durable" } });
    // src/runner/gateway.ts arms the same 2 h AbortSignal.timeout as the app transport, so this
    // fails on its own account even once src/runner/transport.ts clears its timer.
    await expect(evict(runId)).resolves.toBeUndefined();
  }, 10_000);

  it("resumes after eviction between alarms without running a finished step again", async () => {
    const runId = await napUntilAsleep();
    expect(ran(runId, "nap-before")).toBe(1);
    await evict(runId);
    const run = await finishNap(runId);
    // The ended run survives another eviction as it was.
    await evict(runId);
    expect(await runStub(runId).status()).toEqual(run);
  }, 20_000);

  it("resumes after a crash (the object aborted) between alarms without running a finished step again", async () => {
    const runId = await napUntilAsleep();
    expect(ran(runId, "nap-before")).toBe(1);
    await abortAllDurableObjects();
    await finishNap(runId);
  }, 20_000);

  it("retries a 200 answer that did not come from an SDK, then fails with why", async () => {
    const { runId } = await start("wrong-url", "ro/wrong", { stepUrl: `${WRONG_URL}?fnId=ro-wrong-url&stepId=step`, maxAttempts: 2 });
    await runAlarm(runId);
    await waitFor("the retry to be scheduled", async () => {
      const calls = await objectRows<{ attempt: number }>(runId, "SELECT attempt FROM calls");
      return calls[0]?.attempt === 1 ? true : undefined;
    });
    expect((await runStub(runId).status())?.status).toBe("running");

    await skipBackoff(runId);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("failed");
    expect(router.to(WRONG_URL)).toHaveLength(2);
    const history = await historyWhen(runId, "failed");
    expect(JSON.parse(history.error!)).toMatchObject({
      name: "InvalidSdkResponse",
      message: expect.stringContaining("X-Inngest-SDK"),
    });
  });

  it("keeps a run whose app is unreachable running (and retrying) until it is cancelled", async () => {
    const { runId } = await start("unreachable", "ro/down", { stepUrl: "http://down.test/api/inngest?fnId=x&stepId=step" });
    await runAlarm(runId);
    const history = await historyWhen(runId, "running");
    expect(history.ended_at).toBeNull();
    const [call] = await objectRows<{ attempt: number }>(runId, "SELECT attempt FROM calls");
    expect(call?.attempt).toBe(1);
    expect(await env.RUNS.getByName(runId).cancel()).toEqual({ cancelled: true });
    await driveToEnd(runId);
    expect(JSON.parse((await historyWhen(runId, "cancelled")).error!)).toEqual({
      name: "FunctionCancelledError",
      code: "function_cancelled",
      message: "function cancelled",
    });
  });
});
