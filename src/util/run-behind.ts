/**
 * Work that goes on after an answer: handed to the current invocation's `waitUntil`, which
 * `cloudflare:workers` exposes, so the runtime does not cut it off when the answer is sent.
 * @module
 */
import { waitUntil } from "cloudflare:workers";

/**
 * Lets `work` finish after the invocation that started it has answered. Outside any invocation
 * (a test calling directly; never in a deployed Worker) it runs on by itself, and a failure is
 * logged rather than left unhandled.
 */
export function runBehind(work: Promise<unknown>): void {
  try {
    waitUntil(work);
  } catch {
    work.catch((error: unknown) => console.error("stepflare: background work failed", error));
  }
}
