import { INVOKE_DEFAULT_TIMEOUT_MS, MAX_EVENT_BYTES, MAX_FETCH_REQUEST_BYTES, MAX_SIGNAL_NAME_LENGTH } from "../constants";
import { jsonBytes } from "../util/utf8";
import type { Op } from "../protocol/ops";
import type { SerializedError } from "../protocol/serialized-error";
import { DurationError, resolveWakeTime } from "../time/duration";
import type { GatewayRequest, Memo, WaitDetail } from "./transition";
import { runError } from "../errors";
import { waitExpressionRefusal } from "../waits/wait-expression";
import { aiRequestOf, storedAiRequest } from "./ai-request";
import { unsupportedFeatureError } from "./unsupported-ops";

/** What an op that does not run code in the app turns into. */
export type AsyncOpPlan =
  | { kind: "wait"; wakeAt: number; detail: WaitDetail }
  | { kind: "resolved"; memo: Memo }
  | { kind: "gateway"; request: GatewayRequest }
  | { kind: "invalid"; error: SerializedError };

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * Plans a `Sleep`, `WaitForEvent`, `WaitForSignal`, `InvokeFunction`, `Gateway` or
 * `AIGateway` op; any other op
 * ends the run with `UnsupportedFeature`. A sleep that has already
 * ended, or a wait whose timeout has passed, resolves at once with a `null` memo. A wait whose
 * `if` fails the expression checks and limits is invalid: the run fails with `InvalidStep`
 * instead of storing a pause that could never match.
 */
export function planAsyncOp(op: Op, now: number): AsyncOpPlan {
  const opts = op.opts ?? {};
  try {
    switch (op.op) {
      case "Sleep": {
        // The SDK writes the duration (or the sleepUntil date) in `name`; Go reads opts first.
        const wakeAt = resolveWakeTime(str(opts["duration"]) ?? op.name ?? "", now);
        return wakeAt <= now ? { kind: "resolved", memo: null } : { kind: "wait", wakeAt, detail: { kind: "sleep" } };
      }
      case "WaitForEvent": {
        const eventName = op.name ?? str(opts["event"]);
        if (!eventName) return invalid(op, "names no event to wait for");
        const timeout = str(opts["timeout"]);
        const wakeAt = timeout ? resolveWakeTime(timeout, now) : now;
        const expression = str(opts["if"]) ?? null;
        const refused = waitExpressionRefusal(expression);
        if (refused !== null) return invalid(op, `waits with an "if" expression that is refused: ${refused}`);
        if (wakeAt <= now) return { kind: "resolved", memo: null };
        return { kind: "wait", wakeAt, detail: { kind: "event", eventName, expression } };
      }
      case "InvokeFunction": {
        const functionId = str(opts["function_id"]);
        if (!functionId) return invalid(op, "names no function to invoke");
        const timeout = str(opts["timeout"]);
        const wakeAt = timeout ? resolveWakeTime(timeout, now) : now + INVOKE_DEFAULT_TIMEOUT_MS;
        const payload = (opts["payload"] ?? {}) as Record<string, unknown>;
        // The payload becomes the child's event and is stored in a row of its own on the way.
        const bytes = jsonBytes(payload);
        if (bytes > MAX_EVENT_BYTES) return invalid(op, `invokes with a payload of ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes`);
        return { kind: "wait", wakeAt, detail: { kind: "invoke", functionId, payload } };
      }
      case "WaitForSignal":
        return planSignalWait(op, opts, now);
      case "Gateway":
        return planGateway(op, opts);
      case "AIGateway": {
        const request = aiRequestOf(op);
        if ("invalid" in request) return { kind: "resolved", memo: { error: runError("AIGatewayError", `step.ai.infer ${request.invalid}`) } };
        return { kind: "gateway", request: storedAiRequest(request) };
      }
      default:
        return { kind: "invalid", error: unsupportedFeatureError(op) };
    }
  } catch (err) {
    if (err instanceof DurationError) return invalid(op, `has an invalid time "${err.input}"`);
    throw err;
  }
}

/**
 * `step.waitForSignal`: the SDK sends the signal in `opts.signal` (and `name`), a required
 * `timeout`, and `conflict` ("replace" or "fail"; Inngest fails unless told to replace).
 */
function planSignalWait(op: Op, opts: Record<string, unknown>, now: number): AsyncOpPlan {
  const signal = str(opts["signal"]) ?? op.name;
  if (!signal) return invalid(op, "names no signal to wait for");
  if (signal.length > MAX_SIGNAL_NAME_LENGTH)
    return invalid(op, `waits for a signal name of ${signal.length} characters; the limit is ${MAX_SIGNAL_NAME_LENGTH}`);
  const timeout = str(opts["timeout"]);
  if (!timeout) return invalid(op, "waits for a signal without a timeout");
  const wakeAt = resolveWakeTime(timeout, now);
  if (wakeAt <= now) return { kind: "resolved", memo: null };
  return { kind: "wait", wakeAt, detail: { kind: "signal", signal, conflict: opts["conflict"] === "replace" ? "replace" : "fail" } };
}

function planGateway(op: Op, opts: Record<string, unknown>): AsyncOpPlan {
  const url = str(opts["url"]);
  let parsed: URL | null = null;
  try {
    parsed = url ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    return { kind: "resolved", memo: { error: runError("GatewayError", `step.fetch needs an http(s) URL, got "${url ?? ""}"`) } };
  }
  const headers = Object.fromEntries(Object.entries((opts["headers"] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  const request = { url: parsed.toString(), method: str(opts["method"]) ?? "GET", headers, body: str(opts["body"]) };
  // The request waits in a storage row until it is made.
  const bytes = jsonBytes(request);
  if (bytes > MAX_FETCH_REQUEST_BYTES) {
    return {
      kind: "resolved",
      memo: { error: runError("GatewayError", `step.fetch request is ${bytes} bytes; the limit is ${MAX_FETCH_REQUEST_BYTES} bytes`) },
    };
  }
  return { kind: "gateway", request };
}

function invalid(op: Op, what: string): AsyncOpPlan {
  return { kind: "invalid", error: runError("InvalidStep", `step "${op.userland?.id ?? op.name ?? op.id}" ${what}`) };
}
