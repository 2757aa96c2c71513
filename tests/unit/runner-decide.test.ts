import { describe, expect, it } from "vitest";
import { MAX_STEP_OUTPUT_BYTES, RETRY_BACKOFF_MS } from "../../src/constants";
import type { Op } from "../../src/protocol/ops";
import { decide, type CallOutcome, type RunFacts } from "../../src/runs/decide";
import { DISCOVERY } from "../../src/runs/transition";

const facts = (over: Partial<RunFacts> = {}): RunFacts => ({
  maxAttempts: 5,
  memoized: new Set(),
  pendingPlan: new Set(),
  forceStepPlan: false,
  ...over,
});
const ctx = { now: Date.UTC(2026, 0, 1), random: () => 0 };
const ops = (list: Partial<Op>[], extra: { noRetry?: boolean; retryAfterMs?: number } = {}): CallOutcome => ({
  kind: "ops",
  ops: list.map((o) => ({ id: "x", op: "StepRun", ...o }) as Op),
  noRetry: extra.noRetry ?? false,
  retryAfterMs: extra.retryAfterMs,
});
const discovery = { target: DISCOVERY, attempt: 0 };

describe("decide", () => {
  it("completes the run on a 200", () => {
    const t = decide(facts(), discovery, { kind: "complete", output: { ok: 1 }, version: 2 }, ctx);
    expect(t.end).toEqual({ status: "completed", output: { ok: 1 } });
    expect(t.version).toBe(2);
  });

  it("memoises an immediately executed step and asks for discovery", () => {
    const t = decide(facts(), discovery, ops([{ id: "a", op: "StepRun", data: 42, userland: { id: "first" } }]), ctx);
    expect(t.stored).toEqual([{ stepId: "a", op: "StepRun", name: "first", displayName: undefined, memo: { data: 42 }, attempts: 1 }]);
    expect(t.discover).toBe(true);
    expect(t.end).toBeUndefined();
  });

  it("keeps when the SDK says it ran the step (nanosecond interval) for history", () => {
    const start = Date.UTC(2026, 0, 1, 12);
    const t = decide(facts(), discovery, ops([{ id: "a", op: "StepRun", data: 1, timing: { a: start * 1e6, b: 25 * 1e6 } }]), ctx);
    expect(t.stored[0]!.timing).toEqual({ startedAt: start, endedAt: start + 25 });
  });

  it("stores null when a step returns nothing", () => {
    const t = decide(facts(), discovery, ops([{ id: "a", op: "StepRun" }]), ctx);
    expect(t.stored[0]!.memo).toEqual({ data: null });
  });

  it("retries a StepError with the backoff table and keeps the call", () => {
    const t = decide(facts(), { target: "a", attempt: 1 }, ops([{ id: "a", op: "StepError", error: { name: "Error", message: "boom" } }]), ctx);
    expect(t.retry).toEqual({ dueAt: ctx.now + RETRY_BACKOFF_MS[1], attempt: 2 });
    expect(t.attemptErrors[0]!.error.message).toBe("boom");
    expect(t.stored).toEqual([]);
  });

  it("honours Retry-After on a StepError", () => {
    const t = decide(facts(), discovery, ops([{ id: "a", op: "StepError", error: { message: "later" } }], { retryAfterMs: 2_000 }), ctx);
    expect(t.retry).toEqual({ dueAt: ctx.now + 2_000, attempt: 1 });
  });

  it("turns a StepError into a stored failure once attempts are exhausted", () => {
    const t = decide(facts({ maxAttempts: 3 }), { target: "a", attempt: 2 }, ops([{ id: "a", op: "StepError", error: { message: "x" } }]), ctx);
    expect(t.retry).toBeUndefined();
    expect(t.stored[0]!.memo).toEqual({ error: { name: "Error", message: "x" } });
    expect(t.discover).toBe(true);
  });

  it("stores a StepFailed and continues with discovery", () => {
    const t = decide(facts(), { target: "a", attempt: 0 }, ops([{ id: "a", op: "StepFailed", error: { name: "NonRetriableError", message: "no" } }]), ctx);
    expect(t.stored[0]!.memo).toEqual({ error: { name: "NonRetriableError", message: "no" } });
    expect(t.discover).toBe(true);
  });

  it("plans parallel steps, forces step planning, and waits for the whole group", () => {
    const plan = decide(
      facts(),
      discovery,
      ops([
        { id: "a", op: "StepPlanned" },
        { id: "b", op: "StepPlanned" },
      ]),
      ctx,
    );
    expect(plan.planned.map((p) => p.stepId)).toEqual(["a", "b"]);
    expect(plan.forceStepPlan).toBe(true);
    expect(plan.discover).toBe(false);

    const first = decide(facts({ pendingPlan: new Set(["a", "b"]), forceStepPlan: true }), { target: "a", attempt: 0 }, ops([{ id: "a", data: 1 }]), ctx);
    expect(first.discover).toBe(false);

    const last = decide(facts({ pendingPlan: new Set(["b"]), forceStepPlan: true }), { target: "b", attempt: 0 }, ops([{ id: "b", data: 2 }]), ctx);
    expect(last.discover).toBe(true);
    expect(last.forceStepPlan).toBe(false);
  });

  it("discovers after each step of a race", () => {
    const t = decide(
      facts({ pendingPlan: new Set(["a", "b"]) }),
      { target: "a", attempt: 0 },
      ops([{ id: "a", data: 1, opts: { parallelMode: "race" } }]),
      ctx,
    );
    expect(t.discover).toBe(true);
  });

  it("ignores a re-reported planned step that is already pending or memoised", () => {
    const t = decide(
      facts({ memoized: new Set(["a"]), pendingPlan: new Set(["b"]) }),
      discovery,
      ops([
        { id: "a", op: "StepPlanned" },
        { id: "b", op: "StepPlanned" },
      ]),
      ctx,
    );
    expect(t.planned).toEqual([]);
  });

  it("retries a retriable function error and fails the run on a non-retriable one", () => {
    const error = { name: "Error", message: "bad" };
    const retry = decide(facts(), discovery, { kind: "error", status: 500, error, retriable: true }, ctx);
    expect(retry.retry?.attempt).toBe(1);
    const fail = decide(facts(), discovery, { kind: "error", status: 400, error, retriable: false }, ctx);
    expect(fail.end).toEqual({ status: "failed", error });
  });

  it("fails the run when a retriable error exhausts the attempts", () => {
    const error = { name: "Error", message: "bad" };
    const t = decide(facts({ maxAttempts: 2 }), { target: DISCOVERY, attempt: 1 }, { kind: "error", status: 500, error, retriable: true }, ctx);
    expect(t.end).toEqual({ status: "failed", error });
  });

  it("treats an unreachable app as retriable", () => {
    const t = decide(facts(), discovery, { kind: "unreachable", error: { name: "AppUnreachable", message: "refused" } }, ctx);
    expect(t.retry?.attempt).toBe(1);
  });

  it("completes on RunComplete and fails on a function-level error op", () => {
    const done = decide(facts(), discovery, ops([{ id: "c", op: "RunComplete", data: "out" }]), ctx);
    expect(done.end).toEqual({ status: "completed", output: "out" });
    const failed = decide(
      facts(),
      discovery,
      ops([{ id: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c", op: "StepFailed", error: { name: "Error", message: "fn threw" } }], { noRetry: true }),
      ctx,
    );
    expect(failed.end).toEqual({ status: "failed", error: { name: "Error", message: "fn threw" } });
  });

  it("fails a step whose output is over the limit instead of storing it", () => {
    const big = "x".repeat(MAX_STEP_OUTPUT_BYTES + 1);
    const t = decide(facts(), discovery, ops([{ id: "a", data: big, userland: { id: "huge" } }]), ctx);
    const memo = t.stored[0]!.memo as { error: { name: string; message: string } };
    expect(memo.error.name).toBe("StepOutputTooLarge");
    expect(memo.error.message).toContain("huge");
  });

  it("retries an empty plan rather than leaving the run with nothing to wait for", () => {
    const t = decide(facts(), discovery, ops([]), ctx);
    expect(t.retry?.attempt).toBe(1);
  });

  it.each([
    ["DeferAdd", "defer()"],
    ["DeferAbort", "defer(...).abort()"],
    ["SomeFutureOp", 'the opcode "SomeFutureOp"'],
  ])("ends the run with UnsupportedFeature on %s, naming the feature and the step", (op, feature) => {
    const t = decide(facts(), discovery, ops([{ id: "s", op, userland: { id: "the-step" } }]), ctx);
    expect(t.retry).toBeUndefined();
    expect(t.end).toEqual({
      status: "failed",
      error: {
        name: "UnsupportedFeature",
        code: "unsupported_feature",
        message: `step "the-step" uses ${feature} (opcode ${op}), which stepflare does not support yet`,
      },
    });
  });

  it("does not let an unsupported op ride along with a result or a completed run", () => {
    for (const list of [
      [
        { id: "c", op: "RunComplete", data: "out" },
        { id: "d", op: "DeferAdd" },
      ],
      [
        { id: "a", op: "StepRun", data: 1 },
        { id: "d", op: "DeferAdd" },
      ],
    ]) {
      const t = decide(facts(), discovery, ops(list), ctx);
      expect(t.end).toMatchObject({ status: "failed", error: { name: "UnsupportedFeature" } });
      expect(t.stored).toEqual([]);
    }
  });

  it("plans step.ai.infer as a gateway call that stores no key, header, body or query", () => {
    const op = {
      id: "ai",
      op: "AIGateway",
      userland: { id: "ask" },
      opts: {
        type: "step.ai.infer",
        url: "https://generativelanguage.example/v1beta/models/g:generateContent?key=sk-secret-key-123",
        headers: { "x-team-secret": "another-secret-456" },
        auth_key: "sk-secret-key-123",
        format: "gemini",
        body: { contents: [] },
      },
    };
    const t = decide(facts(), discovery, ops([op]), ctx);
    expect(t.gateways).toEqual([
      expect.objectContaining({
        stepId: "ai",
        op: "AIGateway",
        request: { url: "https://generativelanguage.example/v1beta/models/g:generateContent", method: "POST", headers: {}, ai: "gemini" },
      }),
    ]);
    expect(JSON.stringify(t)).not.toMatch(/secret/);
  });

  it("fails a step.ai.infer without a usable provider URL at once", () => {
    const t = decide(facts(), discovery, ops([{ id: "ai", op: "AIGateway", opts: { url: "ftp://x", auth_key: "k" } }]), ctx);
    expect(t.stored).toEqual([expect.objectContaining({ stepId: "ai", memo: { error: expect.objectContaining({ name: "AIGatewayError" }) } })]);
    expect(t.gateways).toEqual([]);
  });

  it("turns a sleep into a wait until its end, and a past sleep into a null memo", () => {
    const later = decide(facts(), discovery, ops([{ id: "s", op: "Sleep", name: "2s" }]), ctx);
    expect(later.waits).toEqual([expect.objectContaining({ stepId: "s", wakeAt: ctx.now + 2_000, detail: { kind: "sleep" } })]);
    expect(later.discover).toBe(false);
    const past = decide(facts(), discovery, ops([{ id: "s", op: "Sleep", name: "2020-01-01T00:00:00.000Z" }]), ctx);
    expect(past.stored).toEqual([expect.objectContaining({ stepId: "s", memo: null })]);
    expect(past.discover).toBe(true);
  });

  it("fails the run clearly on a sleep it cannot read", () => {
    const t = decide(facts(), discovery, ops([{ id: "s", op: "Sleep", name: "soon", userland: { id: "nap" } }]), ctx);
    expect(t.end?.status).toBe("failed");
    expect(JSON.stringify(t.end)).toContain("nap");
  });

  it("waits for an event by name with its expression and timeout", () => {
    const t = decide(
      facts(),
      discovery,
      ops([{ id: "w", op: "WaitForEvent", name: "app/paid", opts: { timeout: "1h", if: "event.data.id == async.data.id" } }]),
      ctx,
    );
    expect(t.waits[0]).toMatchObject({
      stepId: "w",
      wakeAt: ctx.now + 3_600_000,
      detail: { kind: "event", eventName: "app/paid", expression: "event.data.id == async.data.id" },
    });
  });

  it("invokes with the default one-year timeout", () => {
    const t = decide(facts(), discovery, ops([{ id: "i", op: "InvokeFunction", opts: { function_id: "app-child", payload: { data: { x: 1 } } } }]), ctx);
    expect(t.waits[0]).toMatchObject({
      wakeAt: ctx.now + 365 * 24 * 3_600_000,
      detail: { kind: "invoke", functionId: "app-child", payload: { data: { x: 1 } } },
    });
  });

  it("plans step.fetch for http(s) URLs only", () => {
    const ok = decide(facts(), discovery, ops([{ id: "g", op: "Gateway", opts: { url: "https://example.test/x", method: "POST", headers: { a: 1 } } }]), ctx);
    expect(ok.gateways[0]!.request).toEqual({ url: "https://example.test/x", method: "POST", headers: { a: "1" }, body: undefined });
    const bad = decide(facts(), discovery, ops([{ id: "g", op: "Gateway", opts: { url: "file:///etc/passwd" } }]), ctx);
    expect(bad.stored[0]!.memo).toMatchObject({ error: { name: "GatewayError" } });
  });

  it("coalesces a sleep planned alongside a step until both are done", () => {
    const t = decide(
      facts(),
      discovery,
      ops([
        { id: "s", op: "Sleep", name: "1m" },
        { id: "a", op: "StepPlanned" },
      ]),
      ctx,
    );
    expect(t.forceStepPlan).toBe(true);
    const stepDone = decide(facts({ pendingPlan: new Set(["s", "a"]) }), { target: "a", attempt: 0 }, ops([{ id: "a", data: 1 }]), ctx);
    expect(stepDone.discover).toBe(false);
  });
});
