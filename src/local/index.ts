/**
 * The entry point for functions served inside stepflare's own Worker (the `local` transport).
 * A Worker entry module registers each app's SDK serve handler and exports stepflare's handlers
 * and Durable Object classes:
 *
 * ```ts
 * import { Inngest } from "inngest";
 * import { serve } from "inngest/cloudflare";
 * import { stepflare, stepflareFetch } from "../stepflare/src/local"; // this folder
 * export * from "../stepflare/src/local/durable-objects";
 *
 * const inngest = new Inngest({ id: "my-app", baseUrl: "http://stepflare.local", fetch: stepflareFetch });
 * export default stepflare({ apps: { "my-app": serve({ client: inngest, functions }) } });
 * ```
 *
 * Sync the app at `local://my-app/api/inngest`: runs then call its handler in-process, and its
 * SDK calls stepflare in-process. See the README, "Functions in the same Worker".
 * @module
 */
import worker from "../index";
import { inProcessContext } from "./context";
import { LOCAL_APP_NAME } from "../sync/local-url";
import { registerInProcessApp } from "../sync/local-apps";

export { stepflareFetch } from "./server-fetch";

/**
 * An SDK serve handler as a Worker's `fetch`: `serve` from `inngest/cloudflare`, or the `fetch`
 * of a Hono app that mounts `serve` from `inngest/hono`. It is called as `(request, env, ctx)`
 * with this Worker's env; the parameters are left open because each framework types them its
 * own way (`inngest/cloudflare` also accepts Pages' single argument).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServeHandler = (...args: any[]) => Response | Promise<Response>;

/** The apps this Worker serves in-process, by the name their `local://<name>/...` URL uses. */
export interface StepflareOptions {
  apps: Record<string, ServeHandler>;
}

/**
 * Registers each app's serve handler for the `local` transport and returns stepflare's Worker
 * handlers (`fetch`, `queue`, `scheduled`) for the entry module's default export. Call it at the
 * top level of the entry module, so that every isolate of the Worker (Durable Objects included)
 * has the handlers before it serves anything. Names are lowercase letters, digits and `-`.
 */
export function stepflare(options: StepflareOptions): typeof worker {
  for (const [name, handler] of Object.entries(options.apps)) {
    if (!LOCAL_APP_NAME.test(name)) {
      throw new Error(`stepflare({ apps }): "${name}" is not an app name; use lowercase letters, digits and "-" (it becomes local://${name}/...)`);
    }
    registerInProcessApp(name, async (request, env) => handler(request, env, inProcessContext));
  }
  return worker;
}
