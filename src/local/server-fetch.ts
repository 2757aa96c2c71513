/**
 * How an in-process app's SDK reaches stepflare without a network hop: give its Inngest client
 * `fetch: stepflareFetch`. Events, checkpoints and `/fn/register` then go straight to the
 * Worker's own `fetch` handler (auth, limits and routing as over HTTP), whatever `baseUrl` says.
 * @module
 */
import { env } from "cloudflare:workers";
import worker from "../index";
import { inProcessContext } from "./context";
import { requestWithHeldBody } from "../util/in-process-body";

/**
 * A `fetch` for the Inngest client that hands each request to stepflare's `fetch` handler in
 * this isolate. Only the path and query of the URL matter; its origin is any placeholder, such
 * as `baseUrl: "http://stepflare.local"`.
 */
export const stepflareFetch = ((input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
  Promise.resolve().then(() => worker.fetch(requestWithHeldBody(input, init), env as never, inProcessContext))) as typeof fetch;
