import { MAX_STEP_OUTPUT_BYTES, MAX_STEPS_PER_RUN } from "../constants";
import { retryDelayMs } from "../protocol/backoff";
import type { Op } from "../protocol/ops";
import type { SdkResponse } from "../protocol/sdk-response";
import { toSerializedError, type SerializedError } from "../protocol/serialized-error";
import { planAsyncOp } from "./async-ops";
import { emptyTransition, DISCOVERY, type Call, type StoredStep, type Transition } from "./transition";
import { runError } from "../errors";
import { firstUnsupported, unsupportedFeatureError } from "./unsupported-ops";

/** The facts about a run that a decision needs; read from storage before deciding. */
export interface RunFacts {
  maxAttempts: number;
  /** Steps memoised so far. */
  memoized: ReadonlySet<string>;
  /** Planned steps of the current parallel group that have no result yet. */
  pendingPlan: ReadonlySet<string>;
  forceStepPlan: boolean;
}

/** The outcome of one request to the app: the SDK's answer, or a failure to get one. */
export type CallOutcome = SdkResponse | { kind: "unreachable"; error: SerializedError };

/** Clock and randomness, injected so decisions are repeatable in tests. */
export interface DecideContext {
  now: number;
  random: () => number;
}

/** Id the SDK gives to a function-level result or error sent as an op (sha1("complete")). */
const COMPLETE_OP_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";

/**
 * Decides what one response to `call` means for the run. Pure: the caller applies the
 * returned transition in one storage transaction.
 */
export function decide(facts: RunFacts, call: Call, outcome: CallOutcome, ctx: DecideContext): Transition {
  if (outcome.kind === "complete") {
    return { ...emptyTransition(), version: outcome.version, end: { status: "completed", output: outcome.output } };
  }
  if (outcome.kind === "error" || outcome.kind === "unreachable") {
    const retriable = outcome.kind === "unreachable" || outcome.retriable;
    const retryAfterMs = outcome.kind === "error" ? outcome.retryAfterMs : undefined;
    const version = outcome.kind === "error" ? outcome.version : undefined;
    return { ...failOrRetry(facts, call, outcome.error, retriable, retryAfterMs, ctx), version };
  }
  return { ...decideOps(facts, call, outcome.ops, outcome, ctx), version: outcome.version };
}

function failOrRetry(
  facts: RunFacts,
  call: Call,
  error: SerializedError,
  retriable: boolean,
  retryAfterMs: number | undefined,
  ctx: DecideContext,
): Transition {
  if (retriable && call.attempt + 1 < facts.maxAttempts) {
    const dueAt = ctx.now + retryDelayMs(call.attempt, ctx.random, retryAfterMs);
    return { ...emptyTransition(), retry: { dueAt, attempt: call.attempt + 1 } };
  }
  return { ...emptyTransition(), end: { status: "failed", error } };
}

function decideOps(facts: RunFacts, call: Call, ops: Op[], response: { noRetry: boolean; retryAfterMs?: number }, ctx: DecideContext): Transition {
  const t = emptyTransition();
  // Checked before anything is stored: an op the server cannot carry out (defer(), signals) ends
  // the run even when it rides along with a result, rather than being dropped.
  const refused = firstUnsupported(ops);
  if (refused) return { ...t, end: { status: "failed", error: unsupportedFeatureError(refused) } };
  const pending = new Set(facts.pendingPlan);

  for (const op of ops) {
    if (op.id === COMPLETE_OP_ID && (op.op === "StepError" || op.op === "StepFailed")) {
      const error = toSerializedError(op.error);
      return failOrRetry(facts, call, error, op.op === "StepError" && !response.noRetry, response.retryAfterMs, ctx);
    }
    switch (op.op) {
      case "RunComplete":
        t.end = { status: "completed", output: op.data ?? null };
        return t;
      case "StepRun":
      case "StepFailed":
        t.stored.push(storedStepFromOp(op, call.attempt + 1));
        pending.delete(op.id);
        break;
      case "StepError": {
        const retriable = !response.noRetry && call.attempt + 1 < facts.maxAttempts;
        const error = toSerializedError(op.error);
        if (retriable) {
          t.attemptErrors.push({ ...stepInfo(op), error, attempts: call.attempt + 1 });
          t.retry = { dueAt: ctx.now + retryDelayMs(call.attempt, ctx.random, response.retryAfterMs), attempt: call.attempt + 1 };
          return t;
        }
        t.stored.push({ ...stepInfo(op), memo: { error }, op: "StepFailed", attempts: call.attempt + 1 });
        pending.delete(op.id);
        break;
      }
      case "StepPlanned":
        if (!facts.memoized.has(op.id) && !pending.has(op.id)) {
          t.planned.push(stepInfo(op));
          pending.add(op.id);
        }
        break;
      case "DiscoveryRequest":
        t.discover = true;
        break;
      default: {
        if (facts.memoized.has(op.id) || pending.has(op.id)) break;
        const plan = planAsyncOp(op, ctx.now);
        if (plan.kind === "invalid") {
          t.end = { status: "failed", error: plan.error };
          return t;
        }
        if (plan.kind === "resolved") t.stored.push({ ...stepInfo(op), memo: plan.memo, attempts: 1 });
        else if (plan.kind === "wait") t.waits.push({ ...stepInfo(op), wakeAt: plan.wakeAt, detail: plan.detail });
        else t.gateways.push({ ...stepInfo(op), request: plan.request });
        if (plan.kind !== "resolved") pending.add(op.id);
      }
    }
  }

  if (facts.memoized.size + t.stored.length > MAX_STEPS_PER_RUN) {
    t.end = {
      status: "failed",
      error: runError("StepLimitExceeded", `run exceeded the limit of ${MAX_STEPS_PER_RUN} steps`),
    };
    return t;
  }
  if (ops.length > 1) t.forceStepPlan = true;

  // Results of a parallel group are reported together: the next discovery waits until every
  // step of the group has one, unless the group is a race.
  const raced = ops.some((op) => op.opts?.["parallelMode"] === "race");
  if (t.stored.length > 0 && (pending.size === 0 || raced)) {
    t.discover = true;
    if (pending.size === 0 && facts.forceStepPlan && ops.length === 1) t.forceStepPlan = false;
  }
  if (ops.length === 0 && pending.size === 0 && call.target === DISCOVERY) {
    // An empty plan with nothing outstanding would leave the run with nothing to wait for.
    const error = runError("EmptyResponse", "the SDK reported no steps and did not complete the function");
    return failOrRetry(facts, call, error, true, undefined, ctx);
  }
  return t;
}

/**
 * The op's execution time: the SDK sends `timing: {a, b}` (Go's interval: start and duration,
 * in nanoseconds, from the app's clock at millisecond precision).
 */
function timingOf(op: Op): { timing?: StoredStep["timing"] } {
  const t = op.timing as { a?: unknown; b?: unknown } | undefined;
  if (typeof t?.a !== "number" || typeof t.b !== "number") return {};
  const startedAt = Math.round(t.a / 1e6);
  return { timing: { startedAt, endedAt: startedAt + Math.round(t.b / 1e6) } };
}

function stepInfo(op: Op): { stepId: string; op: string; name?: string; displayName?: string } {
  return { stepId: op.id, op: op.op, name: op.userland?.id ?? op.name, displayName: op.displayName };
}

/**
 * The memo of a `StepRun` or `StepFailed` op. An output over the limit is not kept: the step
 * fails with an error saying so, which the SDK throws into the function.
 */
export function storedStepFromOp(op: Op, attempts: number): StoredStep {
  const info = { ...stepInfo(op), ...timingOf(op) };
  if (op.op === "StepFailed") return { ...info, memo: { error: toSerializedError(op.error) }, attempts };
  const data = op.data ?? null;
  const size = new TextEncoder().encode(JSON.stringify(data)).byteLength;
  if (size > MAX_STEP_OUTPUT_BYTES) {
    const error = runError("StepOutputTooLarge", `step "${info.name ?? op.id}" returned ${size} bytes; the limit is ${MAX_STEP_OUTPUT_BYTES} bytes`);
    return { ...info, op: "StepFailed", memo: { error }, attempts };
  }
  return { ...info, memo: { data }, attempts };
}
