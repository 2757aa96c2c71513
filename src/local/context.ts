/**
 * The execution context given to work run in-process (an app's serve handler called by a run,
 * stepflare's own handler called by an app's SDK): neither is an invocation of its own, so they
 * share the invocation they run in (util/run-behind.ts).
 * @module
 */
import { runBehind } from "../util/run-behind";

/** An `ExecutionContext` whose `waitUntil` extends the invocation the call runs in. */
export const inProcessContext = {
  waitUntil: runBehind,
  passThroughOnException(): void {},
  props: {},
} as unknown as ExecutionContext;
