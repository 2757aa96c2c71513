import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/cloudflare";
import { vi } from "vitest";
import { workerFetch } from "./worker";

/** Where a dev-mode SDK sends its API calls (checkpoints, events): the server under test. */
const SDK_DEV_SERVER_ORIGIN = "http://localhost:8288";

/** Answers one request the code under test sent with `fetch`. */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

/** A request seen by the fetch router, with the `stepId` query parameter it targeted. */
export interface SeenRequest {
  url: string;
  method: string;
  stepId: string | null;
  body: string;
}

/**
 * Routes the isolate's global `fetch` by origin to in-process handlers, so the RunObject's HTTP
 * transport reaches an app served in the test. In the Workers pool, Durable Objects of the main
 * Worker run in the same isolate as the tests, so the stub applies to them too. The transport
 * reads `fetch` when the object is constructed: install the router before any object starts.
 * An origin without a handler fails as a refused connection would. The SDK's dev-server origin
 * reaches the Worker under test, so its checkpoints and sends land where a real server's would.
 */
export function installFetchRouter() {
  const handlers = new Map<string, FetchHandler>([
    [SDK_DEV_SERVER_ORIGIN, (request) => workerFetch(new URL(request.url).pathname + new URL(request.url).search, request)],
  ]);
  const seen: SeenRequest[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.clone().text();
    seen.push({ url: request.url, method: request.method, stepId: url.searchParams.get("stepId"), body });
    const handler = handlers.get(url.origin);
    if (!handler) throw new TypeError(`connection refused: no test handler for ${url.origin}`);
    return handler(request);
  });
  return {
    spy,
    /** Every request sent so far, oldest first. */
    seen,
    /** Serves `origin` with `handler` from now on. */
    route(origin: string, handler: FetchHandler): void {
      handlers.set(origin, handler);
    },
    /** Requests sent to `url`'s origin and path. */
    to(url: string): SeenRequest[] {
      const target = new URL(url);
      return seen.filter((r) => {
        const u = new URL(r.url);
        return u.origin === target.origin && u.pathname === target.pathname;
      });
    },
  };
}

/**
 * The official SDK's Cloudflare Workers handler for `functions`, called as a Worker would call it:
 * `(request, env)`, with `env` putting the SDK in dev mode (no signatures) unless told otherwise.
 */
export function sdkHandler(client: Inngest, functions: InngestFunction.Any[], appEnv: Record<string, string> = { INNGEST_DEV: "1" }): FetchHandler {
  // The SDK types the Workers form `(request, env)` so strictly that no tuple satisfies it.
  const handler = serve({ client, functions }) as unknown as (request: Request, env: Record<string, string>) => Promise<Response>;
  return (request) => {
    // The SDK resolves the request URL against the Host header, which a constructed Request lacks.
    const headers = new Headers(request.headers);
    headers.set("host", new URL(request.url).host);
    return handler(new Request(request, { headers }), appEnv);
  };
}
