/**
 * Ops the server does not carry out. Each ends the run with `UnsupportedFeature` naming the
 * feature, never retried: skipping one silently would let the function go on as if a deferred
 * function had been scheduled.
 * @module
 */
import { runError, type RunError } from "../errors";
import type { Op } from "../protocol/ops";

/** Opcodes the server carries out (src/runs/decide.ts and async-ops.ts). */
const SUPPORTED_OPS: ReadonlySet<string> = new Set([
  "StepRun",
  "StepError",
  "StepFailed",
  "StepPlanned",
  "RunComplete",
  "DiscoveryRequest",
  "Sleep",
  "WaitForEvent",
  "WaitForSignal",
  "InvokeFunction",
  "Gateway",
  "AIGateway",
]);

/** The SDK feature behind each opcode the server knows but does not carry out. */
const FEATURES: Readonly<Record<string, string>> = {
  DeferAdd: "defer()",
  DeferAbort: "defer(...).abort()",
  Step: "the v0 protocol's Step op",
  StepNotFound: "the StepNotFound op",
  SyncRunComplete: "the SyncRunComplete op",
  None: "the None op",
};

/** Whether the server carries out `op`. */
export function isSupportedOp(op: string): boolean {
  return SUPPORTED_OPS.has(op);
}

/** The first op of `ops` the server does not carry out, if any. */
export function firstUnsupported(ops: readonly Op[]): Op | undefined {
  return ops.find((op) => !isSupportedOp(op.op));
}

/** The run error for an op the server does not carry out, naming the feature and the step. */
export function unsupportedFeatureError(op: Op): RunError {
  const feature = FEATURES[op.op] ?? `the opcode "${op.op}"`;
  const step = op.userland?.id ?? op.displayName ?? op.name ?? op.id;
  return runError("UnsupportedFeature", `step "${step}" uses ${feature} (opcode ${op.op}), which stepflare does not support yet`);
}
