import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Inngest, type ClientOptions, type InngestFunction } from "inngest";
import { serve } from "inngest/node";
import { freePort } from "./ports";

/** A Node app served with the official SDK's `inngest/node` handler. */
export interface TestApp {
  url: string;
  close(): Promise<void>;
  /** Cuts every open connection, as a crashing app process would. */
  dropConnections(): void;
  /** How many function calls (POSTs) the server has made to the app so far. */
  calls(): number;
}

/**
 * A v4 client pointed at the dev server the way users do it, with an explicit dev URL; `options`
 * adds client options such as `middleware` or `fetch`.
 */
export function devClient(id: string, serverUrl: string, options: Omit<ClientOptions, "id" | "isDev" | "baseUrl"> = {}): Inngest {
  return new Inngest({ ...options, id, isDev: true, baseUrl: serverUrl });
}

/**
 * Answers a request in place of the SDK, to play an app that misbehaves; returns false to let
 * the SDK answer it.
 */
export type Interceptor = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Serves `functions` on a free port at `/api/inngest`; `intercept` sees every request first. */
export async function serveApp(client: Inngest, functions: InngestFunction.Any[], { intercept }: { intercept?: Interceptor } = {}): Promise<TestApp> {
  const port = await freePort();
  const handler = serve({ client, functions });
  let calls = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === "POST") calls++;
    if (intercept?.(req, res)) return;
    return handler(req, res);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    close: () => new Promise((r) => server.close(() => r())),
    dropConnections: () => server.closeAllConnections(),
    calls: () => calls,
  };
}
