/**
 * The outbound policy: which URLs the server itself may request (app URLs at sync, the step
 * URLs an app registers, `step.fetch`). In production mode only public http(s) hosts, unless
 * `STEPFLARE_ALLOW_PRIVATE_URLS=true`; in dev mode anything, because apps run on localhost.
 *
 * Only the URL is checked: a Worker has no DNS API, so a public name that resolves to a private
 * address is not caught here (see the README's Security section for what covers that case).
 * @module
 */
import { MAX_OUTBOUND_REDIRECTS } from "../constants";
import type { Env } from "../env";
import { isProduction } from "../mode";
import { privateHostKind } from "./address";

/** Whether private addresses may be requested. */
export interface OutboundPolicy {
  allowPrivate: boolean;
}

/** The Worker variable that lets a production server reach private addresses. */
export const ALLOW_PRIVATE_URLS_VAR = "STEPFLARE_ALLOW_PRIVATE_URLS";

/** The policy for this deployment's mode and settings. */
export function outboundPolicy(env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_ALLOW_PRIVATE_URLS">): OutboundPolicy {
  return { allowPrivate: !isProduction(env) || env.STEPFLARE_ALLOW_PRIVATE_URLS === "true" };
}

/** Why the policy refuses `url`, as a sentence naming the URL; null when it may be requested. */
export function refusedUrl(url: string, policy: OutboundPolicy): string | null {
  if (!URL.canParse(url)) return `"${url}" is not an absolute URL`;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${parsed.href} is not an http(s) URL`;
  if (policy.allowPrivate) return null;
  const kind = privateHostKind(parsed.hostname);
  if (kind === null) return null;
  return (
    `${parsed.href} is ${kind}; in production mode this server only calls public addresses ` + `(set ${ALLOW_PRIVATE_URLS_VAR}=true to allow private ones)`
  );
}

/** A request the policy refused; nothing was sent to the refused URL. */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
}

/** What {@link fetchWithinPolicy} sends; bodies are strings so a redirect can send them again. */
export interface OutboundRequest {
  method: string;
  headers: HeadersInit;
  body?: string;
  signal?: AbortSignal;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials (AI providers' keys included), dropped on a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "x-api-key", "api-key"];
/** Headers that describe the body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/**
 * `fetch` under the policy. When private addresses are refused, redirects are followed here
 * rather than by `fetch`, so that every hop is checked: a public URL that redirects to
 * `http://169.254.169.254/` is refused like the address itself. Throws
 * {@link OutboundRefusedError} before any request to a refused URL.
 */
export async function fetchWithinPolicy(
  url: string,
  init: OutboundRequest,
  policy: OutboundPolicy,
  fetcher: (url: string, init: RequestInit) => Promise<Response> = fetch,
): Promise<Response> {
  const first = refusedUrl(url, policy);
  if (first !== null) throw new OutboundRefusedError(first);
  if (policy.allowPrivate) return fetcher(url, init);

  let current = { url, method: init.method, headers: new Headers(init.headers), body: init.body };
  for (let hop = 0; ; hop++) {
    const { method, headers, body } = current;
    const res = await fetcher(current.url, { method, headers, body, signal: init.signal, redirect: "manual" });
    const location = res.headers.get("Location");
    if (!REDIRECT_STATUSES.has(res.status) || location === null) return res;
    if (hop >= MAX_OUTBOUND_REDIRECTS) throw new OutboundRefusedError(`${url} redirected more than ${MAX_OUTBOUND_REDIRECTS} times`);
    await res.body?.cancel();
    const next = new URL(location, current.url).href;
    const refused = refusedUrl(next, policy);
    if (refused !== null) throw new OutboundRefusedError(`${current.url} redirected to ${refused}`);
    // As fetch does: 303, and 301/302 after a POST, continue as a GET without the body.
    const toGet = res.status === 303 ? method !== "HEAD" : (res.status === 301 || res.status === 302) && method === "POST";
    const nextHeaders = new Headers(headers);
    if (toGet) for (const name of BODY_HEADERS) nextHeaders.delete(name);
    // Credentials meant for one origin are not handed to another.
    if (new URL(next).origin !== new URL(current.url).origin) for (const name of CREDENTIAL_HEADERS) nextHeaders.delete(name);
    current = { url: next, method: toGet ? "GET" : method, headers: nextHeaders, body: toGet ? undefined : body };
  }
}
