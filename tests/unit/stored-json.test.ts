import { describe, expect, it } from "vitest";
import { pendingReleaseSchema } from "../../src/flow/buffer-release";
import { acquireArgsSchema, batchArgsSchema, debounceArgsSchema, renewArgsSchema } from "../../src/flow/flow-rpc";
import { flowValueSchemas } from "../../src/flow/flow-state";
import { resumeArgsSchema } from "../../src/runs/run-rpc";
import {
  storedConstraintsSchema,
  storedEventsSchema,
  storedGatewayRequestSchema,
  storedMemoSchema,
  storedOutboxEntrySchema,
  storedResultSchema,
  storedThrottleSchema,
} from "../../src/runs/stored-run-json";
import { parseStoredJson, readStoredJson, UnreadableStateError } from "../../src/util/stored-json";

const event = { name: "app/x", data: { n: 1 }, id: "01KAAAAAAAAAAAAAAAAAAAAAAA", ts: 1_767_225_600_000, user: {} };
const pause = {
  id: "run:step",
  runId: "run",
  stepId: "step",
  kind: "wait",
  eventName: "app/y",
  expression: null,
  triggerEvent: event,
  createdAt: 1,
  expiresAt: 2,
};

describe("readStoredJson", () => {
  it("reads a value of the expected shape", () => {
    expect(readStoredJson(storedEventsSchema, JSON.stringify([event]))).toEqual({ ok: true, value: [event] });
  });

  it("reports text that is not JSON, and JSON of another shape, without throwing", () => {
    expect(readStoredJson(storedEventsSchema, "[{")).toMatchObject({ ok: false, error: expect.stringContaining("not JSON") });
    // An older build stored a single event rather than the list.
    const single = readStoredJson(storedEventsSchema, JSON.stringify(event));
    expect(single.ok).toBe(false);
  });

  it("throws an UnreadableStateError naming the place when asked to parse", () => {
    let thrown: unknown;
    try {
      parseStoredJson(storedConstraintsSchema, '[{"flow":"f","limit":0}]', { table: "run", key: "constraints" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnreadableStateError);
    expect(thrown).toMatchObject({ table: "run", key: "constraints" });
  });
});

describe("a RunObject's stored JSON", () => {
  it("accepts every memo shape the SDK gets back, and refuses others", () => {
    for (const memo of [null, { data: 1 }, { error: { name: "Error", message: "x" } }, event]) {
      expect(storedMemoSchema.safeParse(memo).success).toBe(true);
    }
    for (const odd of [[1], "text", 3]) expect(storedMemoSchema.safeParse(odd).success).toBe(false);
  });

  it("reads throttle and concurrency columns, refusing missing or wrong fields", () => {
    expect(storedThrottleSchema.parse({ flow: "t", limit: 1, periodMs: 1000, burst: 0 })).toEqual({ flow: "t", limit: 1, periodMs: 1000, burst: 0 });
    expect(storedThrottleSchema.safeParse({ flow: "t", limit: "1", periodMs: 1000 }).success).toBe(false);
    expect(storedConstraintsSchema.parse([])).toEqual([]);
    expect(storedConstraintsSchema.safeParse([{ flow: "c" }]).success).toBe(false);
  });

  it("reads a gateway request and a result", () => {
    expect(storedGatewayRequestSchema.safeParse({ url: "https://x.test", method: "GET", headers: {} }).success).toBe(true);
    expect(storedGatewayRequestSchema.safeParse({ url: "https://x.test", headers: { a: 1 } }).success).toBe(false);
    expect(storedResultSchema.safeParse({ output: null }).success).toBe(true);
    expect(storedResultSchema.safeParse({ error: { name: "E", message: "m" } }).success).toBe(true);
    expect(storedResultSchema.safeParse("done").success).toBe(false);
  });

  it("reads every outbox entry kind, and refuses an unknown kind or a broken pause", () => {
    const entries = [
      { kind: "pause", pause },
      { kind: "unpause", pauseIds: ["a"] },
      { kind: "unpause_run" },
      { kind: "emit", events: [{ name: "inngest/function.finished", data: {}, ts: 1, key: "k" }] },
      { kind: "invoke", stepId: "s", functionId: "app-fn", invoked: { name: "inngest/function.invoked", data: {}, ts: 1, key: "k", target: "app-fn" }, pause },
      { kind: "release_singleton", flow: "singleton:f" },
    ];
    for (const entry of entries) expect(storedOutboxEntrySchema.safeParse(entry).success).toBe(true);
    expect(storedOutboxEntrySchema.safeParse({ kind: "notify_webhook", url: "x" }).success).toBe(false);
    expect(storedOutboxEntrySchema.safeParse({ kind: "pause", pause: { ...pause, kind: "sleep" } }).success).toBe(false);
    expect(storedOutboxEntrySchema.safeParse({ kind: "pause", pause: { ...pause, triggerEvent: undefined } }).success).toBe(false);
  });
});

describe("a FlowObject's stored JSON", () => {
  it("reads each kind's state as written, and refuses an older or odd shape", () => {
    expect(flowValueSchemas.debounce.parse({ event: null, firstAt: null, fireAt: null })).toEqual({ event: null, firstAt: null, fireAt: null });
    // A window stored as just the event id (no `ts`), as a hypothetical older build might have.
    expect(flowValueSchemas.debounce.safeParse({ event: "01K", firstAt: 1, fireAt: 2 }).success).toBe(false);
    expect(flowValueSchemas.batch.safeParse({ events: ["a", "b"], openedAt: 1 }).success).toBe(false);
    expect(flowValueSchemas.throttle.safeParse({ tat: "soon" }).success).toBe(false);
    expect(flowValueSchemas.leases.safeParse({ leases: [], waiters: [] }).success).toBe(false);
    expect(flowValueSchemas.start.safeParse({ fn: "x" }).success).toBe(false);
    expect(flowValueSchemas.window.parse(["a"])).toEqual(["a"]);
  });

  it("refuses a pending release without events", () => {
    expect(pendingReleaseSchema.safeParse({ seq: 1, functionId: "f", events: [], attempts: 0, nextAt: 1 }).success).toBe(false);
  });
});

describe("Durable Object method arguments", () => {
  it("refuses FlowObject arguments of the wrong shape", () => {
    const start = { functionId: "app-fn" };
    expect(debounceArgsSchema.safeParse([{ internalId: "e", ts: 1 }, { periodMs: 1000 }, start, false]).success).toBe(true);
    expect(debounceArgsSchema.safeParse([{ internalId: "e", ts: 1 }, { periodMs: -1 }, start, false]).success).toBe(false);
    expect(batchArgsSchema.safeParse([{ internalId: "e", bytes: 1 }, { maxSize: 2, timeoutMs: 1 }, start]).success).toBe(false);
    expect(acquireArgsSchema.safeParse({ holder: "no-slash", limit: 1, leaseMs: 1, priority: 0 }).success).toBe(false);
    expect(renewArgsSchema.safeParse(["run/step", Number.NaN]).success).toBe(false);
  });

  it("refuses a resume without a step id or with a memo that is not an object", () => {
    expect(resumeArgsSchema.safeParse(["step", null]).success).toBe(true);
    expect(resumeArgsSchema.safeParse(["", null]).success).toBe(false);
    expect(resumeArgsSchema.safeParse(["step", "data"]).success).toBe(false);
  });
});
