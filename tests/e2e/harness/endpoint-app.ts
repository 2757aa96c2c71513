import { createServer, type Server } from "node:http";
import { serveEndpoint } from "inngest/node";
import { freePort } from "./ports";

/**
 * A Web API handler, as `inngest.endpoint(...)` returns one. Typed by what the wrapped function
 * returns, but the SDK's wrapper always answers with a `Response` (a plain value as JSON).
 */
export type WebHandler = (req: Request) => Promise<unknown>;

/** A Node server of durable endpoints (and anything else a test serves beside them). */
export interface EndpointApp {
  /** The server's origin, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** Requests each path has had so far, the server's resuming calls included. */
  hits(path: string): number;
  close(): Promise<void>;
}

/** Serves `routes` (path → handler) on a free port through the SDK's `serveEndpoint` bridge. */
export async function serveEndpoints(routes: Record<string, WebHandler>): Promise<EndpointApp> {
  const port = await freePort();
  const hits = new Map<string, number>();
  const listeners = new Map(Object.entries(routes).map(([path, handler]) => [path, serveEndpoint(handler as (req: Request) => Promise<Response>)]));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const listener = listeners.get(path);
    if (!listener) {
      res.writeHead(404).end();
      return;
    }
    void listener(req, res);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
