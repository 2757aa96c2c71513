import { createServer, type Server } from "node:http";
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { runsOf, sendEvents, sendUntilEnded, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
/** A plain HTTP API that `step.fetch` calls; records who called it. */
let api: Server;
let apiUrl: string;
const apiCalls: string[] = [];
/** What each function observed, keyed by function, to check what ran and when. */
const seen = new Map<string, unknown[]>();
const note = (key: string, value: unknown) => seen.set(key, [...(seen.get(key) ?? []), value]);

beforeAll(async () => {
  api = createServer((req, res) => {
    apiCalls.push(`${req.method} ${req.url} ${req.headers["user-agent"] ?? ""}`);
    res.writeHead(201, { "content-type": "application/json", "x-api": "yes" }).end(JSON.stringify({ hello: "world" }));
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}/things?x=1`;
  server = await startDevServer();
  const inngest = devClient("e2e-coord", server.url);
  const child = inngest.createFunction({ id: "child", triggers: [] }, async ({ event }) => {
    const data = event.data as { n: number; fail?: boolean };
    if (data.fail) throw new NonRetriableError("child refused");
    return { doubled: data.n * 2 };
  });
  const functions = [
    child,
    inngest.createFunction({ id: "sleeper", triggers: { event: "coord/sleep" } }, async ({ step }) => {
      const before = await step.run("before", () => Date.now());
      await step.sleep("nap", "2s");
      const after = await step.run("after", () => Date.now());
      return { slept: after - before };
    }),
    inngest.createFunction({ id: "sleep-until", triggers: { event: "coord/sleep-until" } }, async ({ event, step }) => {
      await step.sleepUntil("until", new Date(event.data.at as number));
      return step.run("woke", () => Date.now());
    }),
    inngest.createFunction({ id: "waiter", triggers: { event: "coord/order" } }, async ({ step }) => {
      const paid = await step.waitForEvent("wait-paid", { event: "coord/paid", match: "data.orderId", timeout: "30s" });
      return paid ? { paidBy: paid.data.payer } : "not paid";
    }),
    inngest.createFunction({ id: "impatient", triggers: { event: "coord/impatient" } }, async ({ step }) => {
      const got = await step.waitForEvent("short", { event: "coord/never", timeout: "1s" });
      return got === null ? "timed out" : "unexpected";
    }),
    inngest.createFunction({ id: "if-waiter", triggers: { event: "coord/if" } }, async ({ step }) => {
      const big = await step.waitForEvent("big", {
        event: "coord/amount",
        if: "async.data.amount > event.data.min && async.data.user == event.data.user",
        timeout: "30s",
      });
      return big?.data.amount ?? null;
    }),
    inngest.createFunction({ id: "parent", triggers: { event: "coord/parent" } }, async ({ event, step }) => {
      try {
        const res = await step.invoke("call-child", { function: child, data: { n: event.data.n, fail: event.data.fail } });
        return { child: res };
      } catch (err) {
        return { caught: (err as Error).message };
      }
    }),
    inngest.createFunction(
      { id: "cancellable", triggers: { event: "coord/long" }, cancelOn: [{ event: "coord/stop", match: "data.id" }] },
      async ({ step }) => {
        await step.sleep("long-nap", "1m");
        await step.run("after-nap", () => note("cancellable", "ran after the sleep"));
      },
    ),
    inngest.createFunction({ id: "fetcher", triggers: { event: "coord/fetch" } }, async ({ event, step }) => {
      const res = await step.fetch(event.data.url as string, { method: "POST", body: "ping" });
      return { status: res.status, header: res.headers.get("x-api"), body: await res.json() };
    }),
    inngest.createFunction(
      {
        id: "cancel-watcher",
        triggers: { event: "inngest/function.cancelled", if: "event.data.function_id == 'e2e-coord-cancellable'" },
      },
      async ({ event }) => {
        note("cancelled-event", { runId: event.data.run_id, error: event.data.error });
      },
    ),
    inngest.createFunction(
      {
        id: "fails",
        triggers: { event: "coord/fail" },
        retries: 0,
        onFailure: async ({ event, error }) => {
          note("on-failure", { message: error.message, original: event.data.event.data.tag });
        },
      },
      async () => {
        throw new Error("deliberate failure");
      },
    ),
    inngest.createFunction({ id: "slowpoke", triggers: { event: "coord/slow" }, timeouts: { finish: "2s" } }, async ({ step }) => {
      await step.sleep("too-long", "5s");
      await step.run("never", () => note("slowpoke", "finished"));
    }),
  ];
  app = await serveApp(inngest, functions);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
  await new Promise((r) => api?.close(r));
});

describe("sleeps", () => {
  it("resumes after a 2 s sleep, not before", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/sleep" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Completed");
    expect((run!.output as { slept: number }).slept).toBeGreaterThanOrEqual(2_000);
  });

  it("sleeps until a given time", async () => {
    const at = Date.now() + 1_500;
    const [id] = await sendEvents(server.url, { name: "coord/sleep-until", data: { at } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output as number).toBeGreaterThanOrEqual(at);
  });
});

describe("waitForEvent", () => {
  it("is resumed by the matching event and not by another", async () => {
    const [a] = await sendEvents(server.url, { name: "coord/order", data: { orderId: "A" } });
    const [b] = await sendEvents(server.url, { name: "coord/order", data: { orderId: "B" } });
    const runB = await sendUntilEnded(server.url, b!, { name: "coord/paid", data: { orderId: "B", payer: "bob" } });
    expect(runB.output).toEqual({ paidBy: "bob" });
    expect((await runsOf(server.url, a!))[0]!.status).toBe("Running");
    const runA = await sendUntilEnded(server.url, a!, { name: "coord/paid", data: { orderId: "A", payer: "alice" } });
    expect(runA.output).toEqual({ paidBy: "alice" });
  });

  it("returns null when the wait times out", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/impatient" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toBe("timed out");
  });

  it("resumes on an `if` expression over both events", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/if", data: { min: 100, user: "u1" } });
    const misses = [
      { name: "coord/amount", data: { amount: 500, user: "u2" } },
      { name: "coord/amount", data: { amount: 50, user: "u1" } },
    ];
    // The misses go first, repeatedly, so at least one round arrives after the wait registered.
    for (let i = 0; i < 3; i++) {
      await sendEvents(server.url, misses);
      await new Promise((r) => setTimeout(r, 700));
    }
    expect((await runsOf(server.url, id!))[0]!.status).toBe("Running");
    const run = await sendUntilEnded(server.url, id!, { name: "coord/amount", data: { amount: 150, user: "u1" } });
    expect(run.output).toBe(150);
  });
});

describe("step.invoke", () => {
  it("returns the child's value", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/parent", data: { n: 21 } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toEqual({ child: { doubled: 42 } });
  });

  it("surfaces the child's failure in the parent", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/parent", data: { n: 1, fail: true } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect((run!.output as { caught: string }).caught).toContain("child refused");
  });
});

describe("step.fetch", () => {
  it("makes the request from the server and hands the response to the function", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/fetch", data: { url: apiUrl } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toEqual({ status: 201, header: "yes", body: { hello: "world" } });
    expect(apiCalls).toHaveLength(1);
    expect(apiCalls[0]).toMatch(/^POST \/things\?x=1/);
  });
});

describe("cancellation and failure", () => {
  it("cancels a sleeping run on a matching cancelOn event and emits inngest/function.cancelled", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/long", data: { id: "job-9" } });
    await sendEvents(server.url, { name: "coord/stop", data: { id: "job-other" } });
    const run = await sendUntilEnded(server.url, id!, { name: "coord/stop", data: { id: "job-9" } });
    expect(run.status).toBe("Cancelled");
    const cancelled = await waitFor(() => seen.get("cancelled-event"), 30_000, "a run triggered by inngest/function.cancelled");
    expect(cancelled).toEqual([{ runId: run.run_id, error: { name: "FunctionCancelledError", code: "function_cancelled", message: "function cancelled" } }]);
    expect(seen.get("cancellable")).toBeUndefined();
  });

  it("runs the onFailure handler with the error once retries are exhausted", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/fail", data: { tag: "t-1" } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Failed");
    const calls = await waitFor(() => seen.get("on-failure"), 30_000, "the onFailure handler");
    expect(calls).toEqual([{ message: "deliberate failure", original: "t-1" }]);
  });

  it("cancels a run that outlives timeouts.finish", async () => {
    const [id] = await sendEvents(server.url, { name: "coord/slow" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Cancelled");
    expect(seen.get("slowpoke")).toBeUndefined();
  });
});
