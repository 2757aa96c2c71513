/**
 * The steps a durable endpoint's own request reports (`POST /v1/checkpoint` and
 * `POST /v1/checkpoint/:runId/steps`), applied to its run.
 * @module
 */
import { ENDPOINT_SYNC_LEASE_MS } from "../constants";
import type { Op } from "../protocol/ops";
import { decide, storedStepFromOp } from "./decide";
import type { RunStore } from "./run-store";
import { DISCOVERY } from "./transition";
import { firstUnsupported, unsupportedFeatureError } from "./unsupported-ops";

/**
 * What became of reported steps: `accepted`; `missing`, no such run; `stale`, the run has ended or
 * the server drives it already (the request was presumed lost), so this request must stop.
 */
export type EndpointStepsResult = "accepted" | "missing" | "stale";

/**
 * Applies ops from the endpoint's own request. Results of steps it ran (`StepRun`) are stored as
 * memos while the request carries on, and its hold on the run is renewed. Anything else means the
 * request hands the run over or ends it — `RunComplete` (the endpoint's response), a sleep, a
 * wait, a step error to retry, parallel steps — and is decided exactly as the same ops in an
 * answer to a discovery request: from then on the server calls the endpoint to resume the run.
 */
export function applyEndpointSteps(store: RunStore, ops: Op[], now: number, random: () => number): EndpointStepsResult {
  if (!store.run()) return "missing";
  const call = store.isActive() ? store.calls.get(DISCOVERY) : null;
  if (!call) return "stale";
  // An op the server cannot carry out (`defer()`) ends the run rather than being dropped.
  const refused = firstUnsupported(ops);
  if (refused) {
    store.failForGood(unsupportedFeatureError(refused), now);
    return "stale";
  }
  if (ops.every((op) => op.op === "StepRun")) {
    if (
      !store.checkpoint(
        ops.map((op) => storedStepFromOp(op, call.attempt + 1)),
        now,
      )
    )
      return "stale";
    store.calls.hold(DISCOVERY, now + ENDPOINT_SYNC_LEASE_MS);
    return "accepted";
  }
  const transition = decide(store.facts(), call, { kind: "ops", ops, noRetry: false }, { now, random });
  store.apply(call, transition, now);
  return "accepted";
}
