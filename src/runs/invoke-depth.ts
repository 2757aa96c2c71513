/**
 * The guard on chains of `step.invoke`: a function that invokes itself, or A invoking B invoking
 * A, without end. Each `inngest/function.invoked` event carries how many invokes led to it
 * (`_inngest.invoke_depth`, 1 for an invoke from a run that was not itself invoked); an invoke
 * that would go deeper than MAX_INVOKE_DEPTH fails its step instead of starting a child.
 * @module
 */
import { MAX_INVOKE_DEPTH } from "../constants";
import { runError, type RunError } from "../errors";

const INVOKED_EVENT = "inngest/function.invoked";

/** How many invokes in a row led to `event`: its `_inngest.invoke_depth` if it is an invoke event, else 0. */
export function invokeDepthOf(event: { name: string; data?: Record<string, unknown> }): number {
  if (event.name !== INVOKED_EVENT) return 0;
  const meta = event.data?.["_inngest"];
  const depth = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)["invoke_depth"] : undefined;
  // An invoke event from before the guard (or from the dashboard's "invoke") counts as the first.
  return typeof depth === "number" && Number.isSafeInteger(depth) && depth >= 1 ? depth : 1;
}

/** The error that ends an invoke step whose child would be `depth` invokes deep, or null when it may run. */
export function invokeDepthError(depth: number, functionId: string): RunError | null {
  if (depth <= MAX_INVOKE_DEPTH) return null;
  return runError(
    "InvokeDepthExceeded",
    `could not invoke "${functionId}": it would be ${depth} invokes deep, and at most ${MAX_INVOKE_DEPTH} ` +
      "step.invoke calls may be nested (a function invoking itself, or functions invoking each other, without end)",
  );
}
