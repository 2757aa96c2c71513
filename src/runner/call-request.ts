import { canonicalJson } from "../protocol/jcs";
import type { RunStore } from "../runs/run-store";
import type { Call } from "../runs/transition";
import { buildEndpointCallRequest } from "./endpoint-call";

/** A request to the app's serve handler, ready to send. */
export interface CallRequest {
  url: string;
  body: string;
  runId: string;
  stepId: string;
  version: number;
  /** HTTP method; POST unless the call resumes a durable endpoint requested otherwise. */
  method?: string;
  /** Headers beyond the protocol's own (a durable endpoint's content type and flags). */
  headers?: Record<string, string>;
}

/**
 * Builds the call request for `call` from the run's stored state: the JCS-canonical body the
 * SDK verifies signatures against, and the step URL with `stepId` set.
 *
 * `ctx.fn_id` and `ctx.qi_id` switch v4 SDKs into async checkpointing on discovery requests:
 * the SDK runs consecutive steps in this one request and reports each through
 * `POST /v1/checkpoint/:runId/async` instead of one request per step.
 */
export function buildCallRequest(store: RunStore, call: Call): CallRequest {
  const run = store.run();
  if (!run) throw new Error("run is not initialised");
  if (run.endpoint_method) return buildEndpointCallRequest(store, run, call);
  const events = store.events();
  const stack = store.stack();
  const body = {
    event: events[0],
    events,
    steps: Object.fromEntries(store.memos()),
    ctx: {
      run_id: run.id,
      fn_id: run.function_id,
      qi_id: `${run.id}:${call.target}`,
      attempt: call.attempt,
      max_attempts: run.max_attempts,
      disable_immediate_execution: run.force_step_plan === 1,
      use_api: false,
      stack: { stack, current: stack.length },
    },
    version: run.version,
    use_api: false,
  };
  const url = new URL(run.step_url);
  url.searchParams.set("stepId", call.target);
  return { url: url.toString(), body: canonicalJson(body), runId: run.id, stepId: call.target, version: run.version };
}
