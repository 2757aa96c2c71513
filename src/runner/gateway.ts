import { MAX_CALL_DURATION_MS, MAX_FETCH_RESPONSE_BYTES } from "../constants";
import type { Env } from "../env";
import { fetchWithinPolicy, OutboundRefusedError, outboundPolicy, type OutboundPolicy } from "../net/outbound";
import { withDeadline } from "../util/deadline";
import type { CallOutcome } from "./decide";
import type { GatewayRequest } from "./transition";
import { runError } from "../errors";
import { readBoundedText } from "../util/read-bounded";

/**
 * Makes a `step.fetch` request on the run's behalf and reports it as the SDK would report a
 * step: a `StepRun` with `{url, status_code, headers, body}`, or a retriable `StepError` when the
 * request could not be made (any HTTP status, 4xx and 5xx included, is a result, not an error).
 * A URL the outbound policy refuses fails the step at once, without a request or a retry; so
 * does a response body over MAX_FETCH_RESPONSE_BYTES (`StepOutputTooLarge`), which is read no
 * further than that.
 */
export async function performGateway(
  stepId: string,
  request: GatewayRequest,
  policy: OutboundPolicy,
  fetcher: typeof fetch = fetch,
): Promise<CallOutcome> {
  try {
    const data = await withDeadline(MAX_CALL_DURATION_MS, async (signal) => {
      const { method, body } = request;
      const res = await fetchWithinPolicy(request.url, { method, headers: request.headers, body, signal }, policy, fetcher);
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const read = await readBoundedText(res.body, MAX_FETCH_RESPONSE_BYTES);
      return read.ok ? { url: request.url, status_code: res.status, headers, body: read.text } : null;
    });
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

/** `step.fetch` for a run of this deployment, under its outbound policy. */
export function gatewayFor(
  env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_ALLOW_PRIVATE_URLS">,
): (stepId: string, request: GatewayRequest) => Promise<CallOutcome> {
  const policy = outboundPolicy(env);
  return (stepId, request) => performGateway(stepId, request, policy);
}
