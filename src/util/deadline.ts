/**
 * Runs `fn` with a signal that aborts after `ms`, and clears the timer as soon as `fn` settles.
 * Unlike `AbortSignal.timeout`, no timer outlives the work: a pending timer keeps a Durable
 * Object resident (and billed), so an answered call must leave none behind.
 */
export async function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")), ms);
  try {
    return await fn(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
