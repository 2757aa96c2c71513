/**
 * The carrier of the `local` transport: a request to an in-process app is a function call on its
 * registered serve handler with a constructed `Request`, not a fetch. Nothing crosses a network,
 * and no subrequest is counted for it.
 * @module
 */
import { inProcessApp } from "./local-apps";

/**
 * A `fetch`-shaped function that hands each request to the handler registered as `name`, or
 * undefined when this Worker registered no such app.
 *
 * An abort of `init.signal` (the call ran as long as a call may) rejects at once, as a fetch
 * would. The handler's code cannot be stopped from outside: it keeps running in this isolate,
 * but its answer is no longer waited for and the attempt fails like a timed-out HTTP call.
 */
export function inProcessFetch(name: string, env: object): ((url: string, init: RequestInit) => Promise<Response>) | undefined {
  const app = inProcessApp(name);
  if (!app) return undefined;
  return (url, init) => {
    const { signal } = init;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const answer = Promise.resolve().then(() => app(inProcessRequest(url, init), env));
    if (!signal) return answer;
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  };
}

/**
 * The request the handler sees. The runtime's `Request` keeps only http(s) URLs intact, so the
 * `local://<app>` origin becomes `http://<app>.invalid` (a name that never resolves) with the
 * same path and query, and the `Host` header a network request would carry is set to match:
 * `inngest/cloudflare` resolves the URL against it. The SDK reads only the path and query of a
 * call; an in-band sync takes the app's URL from the request body, which keeps the `local://` form.
 */
function inProcessRequest(url: string, init: RequestInit): Request {
  const parsed = new URL(url);
  const host = `${parsed.hostname}.invalid`;
  const headers = new Headers(init.headers);
  headers.set("Host", host);
  return new Request(`http://${host}${parsed.pathname}${parsed.search}`, { ...init, headers });
}
