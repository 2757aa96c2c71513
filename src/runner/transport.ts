import { MAX_SDK_RESPONSE_BYTES } from "../constants";
import type { Env } from "../env";
import { fetchWithinPolicy, OutboundRefusedError, outboundPolicy, type OutboundPolicy, type OutboundRequest } from "../net/outbound";
import { signRequestBody } from "../protocol/signing";
import { interpretSdkResponse } from "../protocol/sdk-response";
import { appCarriers, type AppFetch } from "../sync/app-carrier";
import type { CallOutcome } from "../runs/decide";
import type { CallRequest } from "./call-request";
import { runError } from "../errors";
import { readBounded } from "../util/read-bounded";
import { decodeUtf8Strictly } from "../util/utf8";

/**
 * Sends a call request to the app and interprets the answer. `signal` aborts the request when
 * the call has run as long as a call may (the driver then reports the attempt as too long).
 */
export type Transport = (request: CallRequest, signal?: AbortSignal) => Promise<CallOutcome>;

/** How a transport carries the request, for what it does on failure and says in errors. */
interface Carrier {
  fetch: (url: string, init: OutboundRequest) => Promise<Response>;
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

/**
 * Sends one call over `carrier`; failures to reach the app become a retriable `unreachable`
 * outcome. The answer is read up to MAX_SDK_RESPONSE_BYTES: a longer one fails the attempt with
 * `StepOutputTooLarge`, not retried, since the same code would answer the same again. A URL the
 * carrier's outbound policy refuses fails with `PrivateUrlRefused`, not retried either.
 */
async function sendCall(request: CallRequest, signingKey: string | undefined, carrier: Carrier, signal: AbortSignal | undefined): Promise<CallOutcome> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Run-ID": request.runId,
    "X-Inngest-Step-ID": request.stepId,
    "X-Inngest-Req-Version": String(request.version),
    ...request.headers,
  };
  if (signingKey) headers["X-Inngest-Signature"] = await signRequestBody(request.body, signingKey, Date.now());
  const method = request.method ?? "POST";
  const body = method === "GET" || method === "HEAD" ? undefined : request.body;
  const send = async () => {
    const res = await carrier.fetch(request.url, { method, headers, body, signal });
    return { res, read: await readBounded(res.body, MAX_SDK_RESPONSE_BYTES) };
  };
  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send().catch((err: unknown) => {
      if (!carrier.resendOnFailure || err instanceof OutboundRefusedError) throw err;
      if (signal?.aborted) throw err;
      return send();
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) {
      // No HTTP answer was had (status 0): the policy stopped the request before it was sent.
      return { kind: "error", status: 0, error: runError("PrivateUrlRefused", `call refused: ${err.message}`), retriable: false };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { kind: "unreachable", error: runError("AppUnreachable", `could not reach ${request.url}${carrier.via}: ${message}`) };
  }
  const { res, read } = answer;
  if (!read.ok) {
    const message =
      `the app's answer (HTTP ${res.status}) from ${request.url}${carrier.via} is over ${MAX_SDK_RESPONSE_BYTES} bytes, ` +
      "the most one answer may carry; return smaller step outputs (at most 4 MiB each)";
    return { kind: "error", status: res.status, error: runError("StepOutputTooLarge", message), retriable: false };
  }
  const text = decodeUtf8Strictly(read.bytes);
  if (text === null) {
    // Decoding with replacement characters would store mangled outputs as if the app sent them.
    const message = `the app's answer (HTTP ${res.status}) from ${request.url}${carrier.via} is not valid UTF-8`;
    return { kind: "error", status: res.status, error: runError("TextNotUnicode", message), retriable: false };
  }
  return interpretSdkResponse({ status: res.status, headers: res.headers, body: text }, Date.now());
}

/**
 * The `http` transport: POSTs the call to the app's serve URL, signed with the signing key in
 * production mode. The URL (and every redirect) is checked against the outbound policy at each
 * call, not only at sync: a URL stored before the policy changed is refused too.
 */
export function httpTransport(signingKey: string | undefined, policy: OutboundPolicy, fetcher: AppFetch = (url, init) => fetch(url, init)): Transport {
  const policed: Carrier["fetch"] = (url, init) => fetchWithinPolicy(url, init, policy, fetcher);
  return (request, signal) => sendCall(request, signingKey, { fetch: policed, via: "", resendOnFailure: true }, signal);
}

/**
 * The transport of a Worker's runs: `service` (the same wire protocol and signing, carried by the
 * Service Binding that `STEPFLARE_APP_BINDINGS` names for the call's URL), `local` (the same
 * again, handed to a serve handler of this Worker for a `local://` URL; see src/local/) or `http`
 * for any other URL. A setting that names no usable binding fails the call with the cause, as an unreachable app.
 */
export function appTransport(env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_APP_BINDINGS" | "STEPFLARE_ALLOW_PRIVATE_URLS">): Transport {
  const carrierFor = appCarriers(env);
  const http = httpTransport(env.INNGEST_SIGNING_KEY, outboundPolicy(env));
  return (request, signal) => {
    const carrier = carrierFor(request.url);
    if (!carrier.ok) return Promise.resolve({ kind: "unreachable", error: runError("AppUnreachable", carrier.error) });
    if (carrier.kind === "http") return http(request, signal);
    const via = carrier.kind === "service" ? ` through Service Binding ${carrier.binding}` : " (in-process app)";
    return sendCall(request, env.INNGEST_SIGNING_KEY, { fetch: carrier.fetch, via, resendOnFailure: false }, signal);
  };
}
