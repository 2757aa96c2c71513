import { MAX_FETCH_RESPONSE_BYTES } from "../constants";
import type { Env } from "../env";
import { OutboundRefusedError, outboundPolicy, type OutboundPolicy } from "../net/outbound";
import { AiGateway } from "./ai-gateway";
import { fetchBounded } from "./bounded-fetch";
import type { CallOutcome } from "../runs/decide";
import type { GatewayRequest } from "../runs/transition";
import { runError } from "../errors";

/**
 * Makes a `step.fetch` request on the run's behalf and reports it as the SDK would report a
 * step: a `StepRun` with `{url, status_code, headers, body}`, or a retriable `StepError` when the
 * request could not be made (any HTTP status, 4xx and 5xx included, is a result, not an error).
 * A URL the outbound policy refuses fails the step at once, without a request or a retry; so
 * does a response body over MAX_FETCH_RESPONSE_BYTES (`StepOutputTooLarge`), which is read no
 * further than that.
 */
export async function performGateway(stepId: string, request: GatewayRequest, policy: OutboundPolicy, fetcher: typeof fetch = fetch): Promise<CallOutcome> {
  try {
    const res = await fetchBounded(request, policy, fetcher);
    const data = res && { url: request.url, status_code: res.status, headers: res.headers, body: res.text };
    if (data === null) {
      const message = `step.fetch to ${request.url} answered with a body over ${MAX_FETCH_RESPONSE_BYTES} bytes, the most a step's output may hold`;
      return { kind: "ops", noRetry: true, ops: [{ id: stepId, op: "StepError", error: runError("StepOutputTooLarge", message) }] };
    }
    return { kind: "ops", noRetry: false, ops: [{ id: stepId, op: "StepRun", data }] };
  } catch (err) {
    if (err instanceof OutboundRefusedError) {
      const error = runError("PrivateUrlRefused", `step.fetch refused: ${err.message}`);
      return { kind: "ops", noRetry: true, ops: [{ id: stepId, op: "StepError", error }] };
    }
    const message = `step.fetch to ${request.url} failed: ${err instanceof Error ? err.message : String(err)}`;
    return { kind: "ops", noRetry: false, ops: [{ id: stepId, op: "StepError", error: runError("GatewayError", message) }] };
  }
}

/** The requests one run's server makes itself, and what they need to see of the SDK's answers. */
export interface RunGateway {
  /**
   * Makes the request of a gateway call: a `step.fetch`, or a `step.ai.infer`, which may have to
   * `replay` the function (a discovery request) to get its op, and key, from the SDK again.
   */
  perform: (stepId: string, request: GatewayRequest, replay: () => Promise<CallOutcome>) => Promise<CallOutcome>;
  /** Sees each SDK answer before it is decided: `step.ai.infer` keys are kept from it, in memory only. */
  observe: (outcome: CallOutcome) => void;
}

/** `step.fetch` and `step.ai.infer` for one run of this deployment, under its outbound policy. */
export function gatewayFor(env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_ALLOW_PRIVATE_URLS">): RunGateway {
  const policy = outboundPolicy(env);
  const ai = new AiGateway(policy);
  return {
    perform: (stepId, request, replay) => (request.ai === undefined ? performGateway(stepId, request, policy) : ai.perform(stepId, replay)),
    observe: (outcome) => ai.observe(outcome),
  };
}
