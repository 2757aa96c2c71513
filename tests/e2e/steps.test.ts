import { NonRetriableError, RetryAfterError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { eventStatus, runsOf, sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
/** Side effects the functions record, keyed by test, to count how often each step ran. */
const effects = new Map<string, string[]>();
const record = (key: string, what: string) => effects.set(key, [...(effects.get(key) ?? []), what]);

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-steps", server.url);
  const functions = [
    inngest.createFunction({ id: "sequential", triggers: { event: "test/sequential" } }, async ({ event, step }) => {
      const a = await step.run("a", () => {
        record("sequential", `a:${event.data.n}`);
        return (event.data.n as number) + 1;
      });
      const b = await step.run("b", () => {
        record("sequential", `b:${a}`);
        return a * 10;
      });
      const c = await step.run("c", () => {
        record("sequential", `c:${b}`);
        return `${b}!`;
      });
      return { a, b, c };
    }),
    inngest.createFunction({ id: "flaky", triggers: { event: "test/flaky" } }, async ({ step }) => {
      return step.run("flaky-step", () => {
        record("flaky", "attempt");
        if ((effects.get("flaky") ?? []).length <= 2) throw new RetryAfterError("not yet", 1000);
        return "third time lucky";
      });
    }),
    inngest.createFunction({ id: "doomed", triggers: { event: "test/doomed" } }, async ({ step }) => {
      await step.run("give-up", () => {
        record("doomed", "attempt");
        throw new NonRetriableError("this cannot work");
      });
      record("doomed", "after");
    }),
    inngest.createFunction({ id: "parallel", triggers: { event: "test/parallel" } }, async ({ step }) => {
      const results = await Promise.all(
        ["x", "y", "z"].map((name) =>
          step.run(name, async () => {
            record("parallel", `start:${name}`);
            await new Promise((r) => setTimeout(r, 300));
            record("parallel", `end:${name}`);
            return name.toUpperCase();
          }),
        ),
      );
      return results.join("");
    }),
    inngest.createFunction({ id: "fan-out", triggers: { event: "test/fan-out" } }, async ({ step }) => {
      const { ids } = await step.sendEvent(
        "fan",
        [1, 2, 3].map((i) => ({ name: "test/fan-child", data: { i } })),
      );
      return ids.length;
    }),
    inngest.createFunction({ id: "fan-child", triggers: { event: "test/fan-child" } }, async ({ event, step }) => {
      await step.run("child", () => record("fan-child", `child:${event.data.i}`));
    }),
    inngest.createFunction({ id: "wildcard", triggers: { event: "wild/*" } }, async ({ event }) => {
      record("wildcard", String(event.name));
      return event.name;
    }),
    inngest.createFunction({ id: "big-orders", triggers: { event: "test/order", if: "event.data.amount > 100" } }, async ({ event }) => {
      record("big-orders", String(event.data.amount));
      return event.data.amount;
    }),
    inngest.createFunction({ id: "dedupe", triggers: { event: "test/dedupe" } }, async ({ event }) => {
      record("dedupe", String(event.data.n));
    }),
  ];
  app = await serveApp(inngest, functions);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("durable steps with the official SDK", () => {
  it("runs three sequential steps once each, passing outputs on", async () => {
    const callsBefore = app.calls();
    const [id] = await sendEvents(server.url, { name: "test/sequential", data: { n: 4 } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ a: 5, b: 50, c: "50!" });
    expect(effects.get("sequential")).toEqual(["a:4", "b:5", "c:50"]);
    // Checkpointing: the SDK ran all three steps in one request, reporting each as it finished.
    expect(app.calls() - callsBefore).toBe(1);
  });

  it("retries a step that fails twice with RetryAfterError, then succeeds", async () => {
    const [id] = await sendEvents(server.url, { name: "test/flaky" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toBe("third time lucky");
    expect(effects.get("flaky")).toEqual(["attempt", "attempt", "attempt"]);
  });

  it("fails the run on NonRetriableError without retrying or continuing", async () => {
    const [id] = await sendEvents(server.url, { name: "test/doomed" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Failed");
    expect(run!.error?.message).toContain("this cannot work");
    expect(effects.get("doomed")).toEqual(["attempt"]);
  });

  it("runs Promise.all steps in parallel and returns all their results", async () => {
    const [id] = await sendEvents(server.url, { name: "test/parallel" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toBe("XYZ");
    const log = effects.get("parallel") ?? [];
    expect(log.filter((e) => e.startsWith("start:")).sort()).toEqual(["start:x", "start:y", "start:z"]);
    expect(log.filter((e) => e.startsWith("end:"))).toHaveLength(3);
    // All three started before any finished: they ran concurrently, not one after another.
    expect(log.slice(0, 3).every((e) => e.startsWith("start:"))).toBe(true);
  });

  it("fans out with step.sendEvent to another function", async () => {
    const [id] = await sendEvents(server.url, { name: "test/fan-out" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toBe(3);
    await waitFor(() => ((effects.get("fan-child") ?? []).length === 3 ? true : undefined), 30_000, "three child runs");
    expect([...(effects.get("fan-child") ?? [])].sort()).toEqual(["child:1", "child:2", "child:3"]);
  });

  it("matches wildcard triggers", async () => {
    const [hit, miss] = await sendEvents(server.url, [{ name: "wild/a.b" }, { name: "wilder/c" }]);
    const [run] = await waitForEndedRuns(server.url, hit!);
    expect(run!.output).toBe("wild/a.b");
    await waitFor(async () => ((await eventStatus(server.url, miss!)) === "routed" ? true : undefined));
    expect(await runsOf(server.url, miss!)).toEqual([]);
  });

  it("filters triggers by expression", async () => {
    const [small, big] = await sendEvents(server.url, [
      { name: "test/order", data: { amount: 50 } },
      { name: "test/order", data: { amount: 500 } },
    ]);
    const [run] = await waitForEndedRuns(server.url, big!);
    expect(run!.output).toBe(500);
    await waitFor(async () => ((await eventStatus(server.url, small!)) === "routed" ? true : undefined));
    expect(await runsOf(server.url, small!)).toEqual([]);
    expect(effects.get("big-orders")).toEqual(["500"]);
  });

  it("starts one run for events sharing a user-given id", async () => {
    const [first, second] = await sendEvents(server.url, [
      { name: "test/dedupe", id: "order-77", data: { n: 1 } },
      { name: "test/dedupe", id: "order-77", data: { n: 2 } },
    ]);
    const [third] = await sendEvents(server.url, { name: "test/dedupe", id: "order-77", data: { n: 3 } });
    await waitForEndedRuns(server.url, first!);
    await waitFor(async () => ((await eventStatus(server.url, third!)) === "duplicate" ? true : undefined));
    expect(await eventStatus(server.url, second!)).toBe("duplicate");
    expect(await runsOf(server.url, second!)).toEqual([]);
    expect(await runsOf(server.url, third!)).toEqual([]);
    expect(effects.get("dedupe")).toEqual(["1"]);
  });
});
