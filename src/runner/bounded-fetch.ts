import { MAX_CALL_DURATION_MS, MAX_FETCH_RESPONSE_BYTES } from "../constants";
import { fetchWithinPolicy, type OutboundPolicy } from "../net/outbound";
import { withDeadline } from "../util/deadline";
import { readBoundedText } from "../util/read-bounded";
import type { GatewayRequest } from "../runs/transition";

/** A response read whole, up to MAX_FETCH_RESPONSE_BYTES of body. */
export interface BoundedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * Makes one request the server sends for a run (`step.fetch`, `step.ai.infer`) under the
 * outbound policy, within MAX_CALL_DURATION_MS, reading the body no further than
 * MAX_FETCH_RESPONSE_BYTES: null when the body is longer. Throws OutboundRefusedError for a
 * refused URL, and whatever `fetch` throws when the request cannot be made.
 */
export async function fetchBounded(request: GatewayRequest, policy: OutboundPolicy, fetcher: typeof fetch = fetch): Promise<BoundedResponse | null> {
  return withDeadline(MAX_CALL_DURATION_MS, async (signal) => {
    const { method, body } = request;
    const res = await fetchWithinPolicy(request.url, { method, headers: request.headers, body, signal }, policy, fetcher);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const read = await readBoundedText(res.body, MAX_FETCH_RESPONSE_BYTES);
    return read.ok ? { status: res.status, headers, text: read.text } : null;
  });
}
