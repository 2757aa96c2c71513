/**
 * The execution context given to work run in-process (an app's serve handler called by a run,
 * stepflare's own handler called by an app's SDK): neither is an invocation of its own, so they
 * share the invocation they run in, whose `waitUntil` `cloudflare:workers` exposes.
 * @module
 */
import { waitUntil } from "cloudflare:workers";

/** An `ExecutionContext` whose `waitUntil` extends the invocation the call runs in. */
export const inProcessContext = {
  waitUntil(promise: Promise<unknown>): void {
    try {
      waitUntil(promise);
    } catch {
      // Outside any invocation (never in a deployed Worker): the promise runs on by itself.
      promise.catch((error: unknown) => console.error("stepflare: in-process background work failed", error));
    }
  },
  passThroughOnException(): void {},
  props: {},
} as unknown as ExecutionContext;
