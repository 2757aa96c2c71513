/**
 * Step metadata the SDK attaches to ops, which stepflare does not store yet. The ops themselves
 * are carried out: metadata only annotates them, so it does not fail the run; the Worker log says
 * it was not kept, once per SDK answer or checkpoint, naming the run.
 * @module
 */
import type { Op } from "../protocol/ops";

/**
 * Metadata kinds not reported. The SDK adds `inngest.ai` by itself to every step in which it saw
 * an AI call in its tracing (model, token counts): telemetry for Inngest Cloud's views that the
 * function's author never set, so saying it was not kept would only repeat on every AI step.
 * What the author sets (`inngest.metadata.set()` → `userland.*`, scores, experiments) is reported.
 */
const SDK_TELEMETRY_KINDS: ReadonlySet<string> = new Set(["inngest.ai"]);

/** Whether one entry of an op's `metadata` was set by the function (not the SDK's own telemetry). */
function isAuthored(entry: unknown): boolean {
  const kind = typeof entry === "object" && entry !== null ? (entry as { kind?: unknown }).kind : undefined;
  return typeof kind !== "string" || !SDK_TELEMETRY_KINDS.has(kind);
}

/**
 * Says in the Worker log which of `ops` (from one SDK answer or checkpoint of run `runId`) carry
 * metadata the function set (`inngest.metadata.set()` inside a step), which is not stored.
 */
export function reportUnkeptMetadata(runId: string, ops: readonly Op[]): void {
  const carrying = ops.filter((op) => Array.isArray(op["metadata"]) && op["metadata"].some(isAuthored));
  if (carrying.length === 0) return;
  const steps = carrying.map((op) => `"${op.userland?.id ?? op.displayName ?? op.name ?? op.id}"`).join(", ");
  console.warn(`stepflare: run ${runId}: the metadata of step ${steps} is not stored: run and step metadata is not supported by stepflare yet`);
}
