import type { Env } from "../env";
import { signRequestBody } from "../protocol/signing";
import { interpretSdkResponse } from "../protocol/sdk-response";
import { appCarriers, type AppFetch } from "../sync/app-carrier";
import type { CallOutcome } from "./decide";
import type { CallRequest } from "./call-request";
import { runError } from "../errors";

/**
 * Sends a call request to the app and interprets the answer. `signal` aborts the request when
 * the call has run as long as a call may (the driver then reports the attempt as too long).
 */
export type Transport = (request: CallRequest, signal?: AbortSignal) => Promise<CallOutcome>;

/** How a transport carries the request, for what it does on failure and says in errors. */
interface Carrier {
  fetch: AppFetch;
  /** Appended to "could not reach <url>" when the call fails. */
  via: string;
  /**
   * Whether a request that failed before any answer is sent once more at once. Right for HTTP,
   * where a kept-alive connection the app closed while idle fails before the app sees the request
   * (Node drops idle sockets after 5 s); wrong for a binding, whose failures come from the app
   * Worker itself, so a second send could run a step twice.
   */
  resendOnFailure: boolean;
}

/** Sends one call over `carrier`; failures to reach the app become a retriable `unreachable` outcome. */
async function sendCall(
  request: CallRequest,
  signingKey: string | undefined,
  carrier: Carrier,
  signal: AbortSignal | undefined,
): Promise<CallOutcome> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Run-ID": request.runId,
    "X-Inngest-Step-ID": request.stepId,
    "X-Inngest-Req-Version": String(request.version),
  };
  if (signingKey) headers["X-Inngest-Signature"] = await signRequestBody(request.body, signingKey, Date.now());
  const send = async () => {
    const res = await carrier.fetch(request.url, { method: "POST", headers, body: request.body, signal });
    return { res, body: await res.text() };
  };
  let answer: { res: Response; body: string };
  try {
    answer = await send().catch((err: unknown) => {
      if (!carrier.resendOnFailure) throw err;
      if (signal?.aborted) throw err;
      return send();
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: "unreachable", error: runError("AppUnreachable", `could not reach ${request.url}${carrier.via}: ${message}`) };
  }
  return interpretSdkResponse({ status: answer.res.status, headers: answer.res.headers, body: answer.body }, Date.now());
}

/**
 * The `http` transport: POSTs the call to the app's serve URL, signed with the signing key in
 * production mode.
 */
export function httpTransport(signingKey: string | undefined, fetcher: AppFetch = (url, init) => fetch(url, init)): Transport {
  return (request, signal) => sendCall(request, signingKey, { fetch: fetcher, via: "", resendOnFailure: true }, signal);
}

/**
 * The transport of a Worker's runs: `service` (the same wire protocol and signing, carried by the
 * Service Binding that `STEPFLARE_APP_BINDINGS` names for the call's URL) or `http` for any other
 * URL. A setting that names no usable binding fails the call with the cause, as an unreachable app.
 */
export function appTransport(env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_APP_BINDINGS">): Transport {
  const carrierFor = appCarriers(env);
  const http = httpTransport(env.INNGEST_SIGNING_KEY);
  return (request, signal) => {
    const carrier = carrierFor(request.url);
    if (!carrier.ok) return Promise.resolve({ kind: "unreachable", error: runError("AppUnreachable", carrier.error) });
    if (carrier.kind === "http") return http(request, signal);
    const via = ` through Service Binding ${carrier.binding}`;
    return sendCall(request, env.INNGEST_SIGNING_KEY, { fetch: carrier.fetch, via, resendOnFailure: false }, signal);
  };
}
