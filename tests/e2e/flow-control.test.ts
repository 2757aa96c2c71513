import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { eventStatus, runsOf, sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
/** Step executions the app saw: [function, key, start ms, end ms]. */
const spans: { fn: string; key: string; start: number; end: number }[] = [];
const starts = new Map<string, number[]>();
const runsSeen = new Map<string, unknown[]>();
const note = (fn: string, value: unknown) => runsSeen.set(fn, [...(runsSeen.get(fn) ?? []), value]);
let releaseCrash: () => void = () => {};
/** Set when the test "crashes" the app: a request made after that runs in a fresh process. */
let crashed = false;

/** Most spans of `fn` (and `key`) running at the same instant (a sweep over starts and ends). */
function maxOverlap(fn: string, key?: string): number {
  const edges = spans
    .filter((s) => s.fn === fn && (key === undefined || s.key === key))
    .flatMap((s) => [
      { at: s.start, delta: 1 },
      { at: s.end, delta: -1 },
    ])
    // At the same instant an end comes before a start: back-to-back steps do not overlap.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (running += edge.delta));
  return max;
}

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-flow", server.url);
  const functions = [
    inngest.createFunction(
      { id: "limited", triggers: { event: "flow/limited" }, concurrency: { limit: 2, key: "event.data.key" } },
      async ({ event, step }) => {
        await step.run("work", async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 400));
          spans.push({ fn: "limited", key: event.data.key as string, start, end: Date.now() });
        });
      },
    ),
    ...["shared-a", "shared-b"].map((id) =>
      inngest.createFunction({ id, triggers: { event: "flow/shared" }, concurrency: { limit: 1, key: '"vendor-api"', scope: "env" } }, async ({ step }) => {
        await step.run("call-vendor", async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 300));
          spans.push({ fn: "shared", key: id, start, end: Date.now() });
        });
      }),
    ),
    ...["throttle-a", "throttle-b"].map((id) =>
      inngest.createFunction(
        {
          id,
          triggers: { event: "flow/shared-throttle" },
          // Beyond Inngest (inngest/inngest#3701): one bucket shared by every function using the key.
          throttle: { limit: 1, period: "1s", key: '"shared-bucket"', scope: "env" } as { limit: 1; period: "1s"; key: string },
        },
        async ({ step }) => {
          await step.run("start", () => starts.set("shared-throttle", [...(starts.get("shared-throttle") ?? []), Date.now()]));
        },
      ),
    ),
    inngest.createFunction({ id: "throttled", triggers: { event: "flow/throttled" }, throttle: { limit: 2, period: "2s" } }, async ({ step }) => {
      await step.run("start", () => starts.set("throttled", [...(starts.get("throttled") ?? []), Date.now()]));
    }),
    inngest.createFunction(
      { id: "stale-ok", triggers: { event: "flow/stale" }, throttle: { limit: 1, period: "10s" }, timeouts: { start: "2s" } },
      async ({ event }) => note("stale-ok", event.data.n),
    ),
    inngest.createFunction(
      { id: "rate-limited", triggers: { event: "flow/rate" }, rateLimit: { limit: 1, period: "60s", key: "event.data.user" } },
      async ({ event }) => note("rate-limited", event.data.n),
    ),
    inngest.createFunction({ id: "debounced", triggers: { event: "flow/debounce" }, debounce: { period: "2s" } }, async ({ event }) => {
      note("debounced", event.data.n);
      return event.data.n;
    }),
    inngest.createFunction(
      {
        id: "debounced-all",
        triggers: { event: "flow/debounce-all" },
        // Beyond Inngest (inngest/inngest#3695): the run gets every event of the window.
        debounce: { period: "2s", events: "all" } as { period: "2s" },
      },
      async ({ events }) => events.map((e) => e.data.n),
    ),
    inngest.createFunction({ id: "batched", triggers: { event: "flow/batch" }, batchEvents: { maxSize: 5, timeout: "2s" } }, async ({ events }) => {
      note(
        "batched",
        events.map((e) => e.data.n),
      );
      return events.length;
    }),
    inngest.createFunction({ id: "single", triggers: { event: "flow/single" }, singleton: { key: "event.data.k", mode: "skip" } }, async ({ event, step }) => {
      await step.sleep("hold", "2s");
      note("single", event.data.n);
    }),
    inngest.createFunction({ id: "idempotent", triggers: { event: "flow/idem" }, idempotency: "event.data.orderId" }, async ({ event }) =>
      note("idempotent", event.data.n),
    ),
    inngest.createFunction({ id: "crashy", triggers: { event: "flow/crashy" }, concurrency: 1 }, async ({ event, step }) => {
      await step.run("work", async () => {
        note("crashy", `start:${event.data.n}`);
        if (event.data.n === 1 && !crashed) {
          // The first run hangs until the test cuts the app's connections (the app "crashes").
          // A crashed process never finishes it; the request made again after the crash runs
          // the step afresh, as a restarted app would.
          await new Promise<void>((r) => (releaseCrash = r));
        }
        note("crashy", `end:${event.data.n}`);
      });
    }),
  ];
  app = await serveApp(inngest, functions);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  releaseCrash();
  await app?.close();
  await server?.dispose();
});

describe("flow control", () => {
  it("keeps at most 2 steps per concurrency key running while another key proceeds", async () => {
    const events = [
      ...Array.from({ length: 10 }, (_, n) => ({ name: "flow/limited", data: { key: "a", n } })),
      ...Array.from({ length: 2 }, (_, n) => ({ name: "flow/limited", data: { key: "b", n } })),
    ];
    const ids = await sendEvents(server.url, events);
    for (const id of ids) await waitForEndedRuns(server.url, id, 1, 90_000);
    expect(spans.filter((s) => s.key === "a")).toHaveLength(10);
    expect(maxOverlap("limited", "a")).toBe(2);
    // Key b was not held behind key a's queue: its steps overlapped key a's.
    const bSpans = spans.filter((s) => s.key === "b");
    const lastA = Math.max(...spans.filter((s) => s.key === "a").map((s) => s.end));
    expect(Math.max(...bSpans.map((s) => s.end))).toBeLessThan(lastA);
  });

  it("shares an env-scoped concurrency limit across functions by key", async () => {
    const ids = await sendEvents(
      server.url,
      Array.from({ length: 3 }, () => ({ name: "flow/shared" })),
    );
    for (const id of ids) await waitForEndedRuns(server.url, id, 2, 60_000);
    expect(spans.filter((s) => s.fn === "shared")).toHaveLength(6);
    expect(maxOverlap("shared")).toBe(1);
  });

  it("shares a throttle across functions with scope env (beyond Inngest)", async () => {
    const ids = await sendEvents(
      server.url,
      Array.from({ length: 2 }, () => ({ name: "flow/shared-throttle" })),
    );
    for (const id of ids) await waitForEndedRuns(server.url, id, 2, 60_000);
    const times = (starts.get("shared-throttle") ?? []).sort((a, b) => a - b);
    expect(times).toHaveLength(4);
    // One bucket of 1 per second for both functions: four starts take about three seconds.
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(2_750);
  });

  it("throttles 2 per 2 s: every run starts, and no three start within one period", async () => {
    const ids = await sendEvents(
      server.url,
      Array.from({ length: 6 }, () => ({ name: "flow/throttled" })),
    );
    for (const id of ids) await waitForEndedRuns(server.url, id, 1, 60_000);
    const times = (starts.get("throttled") ?? []).sort((a, b) => a - b);
    expect(times).toHaveLength(6);
    // Starts are smoothed to one per period/limit. The app sees a start a little after it is due
    // (the first run also pays for creating its objects), so 250 ms is allowed for that; without
    // the throttle all six start within about 100 ms, and at 3 per 2 s the gaps would be 1.3 s.
    for (let i = 0; i + 2 < times.length; i++) expect(times[i + 2]! - times[i]!).toBeGreaterThanOrEqual(1_750);
  });

  it("cancels a run held behind its throttle past timeouts.start", async () => {
    const ids = await sendEvents(
      server.url,
      [1, 2].map((n) => ({ name: "flow/stale", data: { n } })),
    );
    // Both are ready together; whichever takes the throttle's start first runs, the other waits 10 s.
    const runs = (await Promise.all(ids.map((id) => waitForEndedRuns(server.url, id, 1, 30_000)))).flat();
    expect(runs.map((r) => r.status).sort()).toEqual(["Cancelled", "Completed"]);
    expect(runsSeen.get("stale-ok")).toHaveLength(1);
  });

  it("rate limits 1 per 60 s by key: 3 events start 1 run", async () => {
    const ids = await sendEvents(
      server.url,
      [1, 2, 3].map((n) => ({ name: "flow/rate", data: { user: "u", n } })),
    );
    await waitFor(async () => {
      const statuses = await Promise.all(ids.map((id) => eventStatus(server.url, id)));
      return statuses.every((s) => s === "routed") ? true : undefined;
    });
    // History reaches D1 through its own Queue, shortly after routing.
    const perEvent = await waitFor(async () => {
      const runs = await Promise.all(ids.map((id) => runsOf(server.url, id)));
      return runs.flat().length > 0 ? runs : undefined;
    });
    expect(perEvent.flat()).toHaveLength(1);
    await waitForEndedRuns(server.url, ids[perEvent.findIndex((runs) => runs.length === 1)]!, 1);
    expect(runsSeen.get("rate-limited")).toHaveLength(1);
  });

  it("debounces 5 rapid events into 1 run with the last event", async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) {
      ids.push(...(await sendEvents(server.url, { name: "flow/debounce", data: { n } })));
      await new Promise((r) => setTimeout(r, 200));
    }
    const [run] = await waitForEndedRuns(server.url, ids[4]!, 1, 30_000);
    expect(run!.output).toBe(5);
    expect(runsSeen.get("debounced")).toEqual([5]);
    for (const id of ids.slice(0, 4)) expect(await runsOf(server.url, id)).toEqual([]);
  });

  it('hands every event of the window to the run when debounce.events is "all"', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) {
      ids.push(...(await sendEvents(server.url, { name: "flow/debounce-all", data: { n } })));
      await new Promise((r) => setTimeout(r, 200));
    }
    const [run] = await waitForEndedRuns(server.url, ids[0]!, 1, 30_000);
    expect(run!.output).toEqual([1, 2, 3, 4]);
  });

  it("batches 12 events into runs of 5, 5 and 2", async () => {
    await sendEvents(
      server.url,
      Array.from({ length: 12 }, (_, n) => ({ name: "flow/batch", data: { n } })),
    );
    const batches = await waitFor(
      () => {
        const seen = runsSeen.get("batched") as number[][] | undefined;
        return seen && seen.flat().length === 12 ? seen : undefined;
      },
      30_000,
      "12 batched events",
    );
    expect(batches.map((b) => b.length).sort()).toEqual([2, 5, 5]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, n) => n));
  });

  it("skips a singleton run while one with the same key is active", async () => {
    const [first] = await sendEvents(server.url, { name: "flow/single", data: { k: "x", n: 1 } });
    await waitFor(async () => ((await runsOf(server.url, first!)).length === 1 ? true : undefined));
    const [second] = await sendEvents(server.url, { name: "flow/single", data: { k: "x", n: 2 } });
    const [other] = await sendEvents(server.url, { name: "flow/single", data: { k: "y", n: 3 } });
    await waitForEndedRuns(server.url, first!, 1, 30_000);
    await waitForEndedRuns(server.url, other!, 1, 30_000);
    expect(await runsOf(server.url, second!)).toEqual([]);
    expect([...(runsSeen.get("single") ?? [])].sort()).toEqual([1, 3]);
  });

  it("starts one run per idempotency key", async () => {
    const ids = await sendEvents(server.url, [
      { name: "flow/idem", data: { orderId: "o-1", n: 1 } },
      { name: "flow/idem", data: { orderId: "o-1", n: 2 } },
    ]);
    await waitForEndedRuns(server.url, ids[0]!, 1);
    expect(await runsOf(server.url, ids[1]!)).toEqual([]);
    expect(runsSeen.get("idempotent")).toEqual([1]);
  });

  it("frees a concurrency slot when the app crashes mid-step", async () => {
    const [first] = await sendEvents(server.url, { name: "flow/crashy", data: { n: 1 } });
    await waitFor(() => ((runsSeen.get("crashy") ?? []).includes("start:1") ? true : undefined));
    const [second] = await sendEvents(server.url, { name: "flow/crashy", data: { n: 2 } });
    await new Promise((r) => setTimeout(r, 500));
    expect(runsSeen.get("crashy")).not.toContain("start:2");
    crashed = true;
    app.dropConnections();
    await waitForEndedRuns(server.url, first!, 1, 60_000);
    await waitForEndedRuns(server.url, second!, 1, 60_000);
    // The crashed step ran again and finished; only then did the second run get the slot.
    const seen = runsSeen.get("crashy") ?? [];
    expect(seen.filter((s) => s === "start:1")).toHaveLength(2);
    expect(seen.indexOf("start:2")).toBeGreaterThan(seen.indexOf("end:1"));
    expect(seen).toContain("end:2");
  });
});
