import { signRequestBody } from "../protocol/signing";
import { interpretSdkResponse } from "../protocol/sdk-response";
import type { CallOutcome } from "./decide";
import type { CallRequest } from "./call-request";
import { runError } from "../errors";

/**
 * Sends a call request to the app and interprets the answer. `signal` aborts the request when
 * the call has run as long as a call may (the driver then reports the attempt as too long).
 */
export type Transport = (request: CallRequest, signal?: AbortSignal) => Promise<CallOutcome>;

/**
 * The `http` transport: POSTs the call to the app's serve URL, signed with the signing key in
 * production mode. Failures to reach the app become a retriable `unreachable` outcome.
 */
export function httpTransport(signingKey: string | undefined, fetcher: typeof fetch = fetch): Transport {
  return async (request, signal) => {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Run-ID": request.runId,
      "X-Inngest-Step-ID": request.stepId,
      "X-Inngest-Req-Version": String(request.version),
    };
    if (signingKey) headers["X-Inngest-Signature"] = await signRequestBody(request.body, signingKey, Date.now());
    const send = async () => {
      const res = await fetcher(request.url, { method: "POST", headers, body: request.body, signal });
      return { res, body: await res.text() };
    };
    let answer: { res: Response; body: string };
    try {
      answer = await send().catch((err: unknown) => {
        // A kept-alive connection the app closed while idle fails before the app sees the
        // request (Node drops idle sockets after 5 s); one fresh try does not count as an attempt.
        if (signal?.aborted) throw err;
        return send();
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { kind: "unreachable", error: runError("AppUnreachable", `could not reach ${request.url}: ${message}`) };
    }
    return interpretSdkResponse({ status: answer.res.status, headers: answer.res.headers, body: answer.body }, Date.now());
  };
}
