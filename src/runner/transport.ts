import { CALL_TIMEOUT_MS } from "../constants";
import { signRequestBody } from "../protocol/signing";
import { interpretSdkResponse } from "../protocol/sdk-response";
import { withDeadline } from "../util/deadline";
import type { CallOutcome } from "./decide";
import type { CallRequest } from "./call-request";
import { runError } from "../errors";

/** Sends a call request to the app over HTTP and interprets the answer. */
export type Transport = (request: CallRequest) => Promise<CallOutcome>;

/**
 * The `http` transport: POSTs the call to the app's serve URL, signed with the signing key in
 * production mode. Failures to reach the app, and no answer within `timeoutMs`, become a
 * retriable `unreachable` outcome.
 */
export function httpTransport(signingKey: string | undefined, fetcher: typeof fetch = fetch, timeoutMs = CALL_TIMEOUT_MS): Transport {
  return async (request) => {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Run-ID": request.runId,
      "X-Inngest-Step-ID": request.stepId,
      "X-Inngest-Req-Version": String(request.version),
    };
    if (signingKey) headers["X-Inngest-Signature"] = await signRequestBody(request.body, signingKey, Date.now());
    const send = () =>
      withDeadline(timeoutMs, async (signal) => {
        const res = await fetcher(request.url, { method: "POST", headers, body: request.body, signal });
        return { res, body: await res.text() };
      });
    let answer: { res: Response; body: string };
    try {
      answer = await send().catch((err: unknown) => {
        // A kept-alive connection the app closed while idle fails before the app sees the
        // request (Node drops idle sockets after 5 s); one fresh try does not count as an attempt.
        if (err instanceof DOMException && err.name === "TimeoutError") throw err;
        return send();
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { kind: "unreachable", error: runError("AppUnreachable", `could not reach ${request.url}: ${message}`) };
    }
    return interpretSdkResponse({ status: answer.res.status, headers: answer.res.headers, body: answer.body }, Date.now());
  };
}
