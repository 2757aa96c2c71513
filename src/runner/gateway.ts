import { MAX_CALL_DURATION_MS } from "../constants";
import { withDeadline } from "../util/deadline";
import type { CallOutcome } from "./decide";
import type { GatewayRequest } from "./transition";
import { runError } from "../errors";

/**
 * Makes a `step.fetch` request on the run's behalf and reports it as the SDK would report a
 * step: a `StepRun` with `{url, status_code, headers, body}`, or a retriable `StepError` when the
 * request could not be made (any HTTP status, 4xx and 5xx included, is a result, not an error).
 */
export async function performGateway(stepId: string, request: GatewayRequest, fetcher: typeof fetch = fetch): Promise<CallOutcome> {
  try {
    const data = await withDeadline(MAX_CALL_DURATION_MS, async (signal) => {
      const { method, body } = request;
      const res = await fetcher(request.url, { method, headers: request.headers, body, signal });
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { url: request.url, status_code: res.status, headers, body: await res.text() };
    });
    return { kind: "ops", noRetry: false, ops: [{ id: stepId, op: "StepRun", data }] };
  } catch (err) {
    const message = `step.fetch to ${request.url} failed: ${err instanceof Error ? err.message : String(err)}`;
    return { kind: "ops", noRetry: false, ops: [{ id: stepId, op: "StepError", error: runError("GatewayError", message) }] };
  }
}
