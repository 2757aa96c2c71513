import { UnreadableStateError } from "../util/stored-json";
import type { RunStore } from "./run-store";

/**
 * Runs `work` (driving the run) and turns a stored value this build cannot read into a bounded
 * outcome: the run fails with a recorded `StoredStateUnreadable` error and its alarm is re-armed
 * to carry out the end's effects, instead of the alarm retrying the same read forever. Any other
 * error is rethrown for the caller's own retry.
 */
export async function failOnUnreadable(store: RunStore, work: () => Promise<void>, now: () => number): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof UnreadableStateError)) throw err;
    console.error(`stepflare: run ${store.run()?.id ?? "?"}: ${err.message}; the run fails`);
    if (store.failUnreadable(err, now())) await store.alarm.rearm(now());
  }
}
