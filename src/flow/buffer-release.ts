/**
 * Two-phase release of buffered events (a closed debounce window, a flushed batch). The events
 * move from the open buffer into a pending release in the same storage step that closes the
 * buffer; the release is deleted only once its run exists. A failed start keeps the release and
 * retries it later with a bounded backoff, so nothing buffered is lost and nothing loops hot.
 * Retries start the same run: its id derives from the release's first event and the function.
 * @module
 */
import { z } from "zod";
import { BUFFER_RELEASE_RETRY_MAX_MS, BUFFER_RELEASE_RETRY_MIN_MS, BUFFER_RELEASES_PER_PASS } from "../constants";

/** A buffered start waiting for its run: which function, which events (in order), how it went so far. */
export const pendingReleaseSchema = z.object({
  seq: z.number().int(),
  functionId: z.string().min(1),
  /** Internal ids of the buffered events, in the order the run receives them. */
  events: z.array(z.string().min(1)).min(1),
  /** Failed attempts so far. */
  attempts: z.number().int().min(0),
  /** When the next attempt is due. */
  nextAt: z.number(),
});
export type PendingRelease = z.infer<typeof pendingReleaseSchema>;

/** Where pending releases are kept (the FlowObject's SQLite; a map in unit tests). */
export interface ReleaseStore {
  /** Releases due at `now`, oldest first, at most `limit`. */
  due(now: number, limit: number): PendingRelease[];
  /** The run exists: forget the release. */
  done(seq: number): void;
  /** Counts an attempt and keeps the release, due again at `nextAt` unless `done` first. */
  retryLater(seq: number, attempts: number, nextAt: number): void;
}

/** Starts the run of a release; throws when it could not (the release is then kept). */
export type StartRelease = (release: PendingRelease) => Promise<void>;

/** The pause before the next attempt after `attempts` failures: doubling from the minimum, capped. */
export function releaseRetryDelay(attempts: number): number {
  const doublings = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(BUFFER_RELEASE_RETRY_MIN_MS * 2 ** doublings, BUFFER_RELEASE_RETRY_MAX_MS);
}

/** What one pass did. */
export interface ReleasePass {
  started: number;
  failed: number;
}

/**
 * Tries each due release once. Before an attempt the release is re-scheduled as if it will fail
 * (so a crash mid-attempt is retried by the alarm, and a concurrent pass does not pick it up at
 * once); it is deleted once its run exists. Never throws for a failed start: the failure is
 * logged and the release stays stored. A duplicate attempt is harmless: the run id is the same.
 */
export async function releaseDue(store: ReleaseStore, start: StartRelease, clock: () => number): Promise<ReleasePass> {
  const pass: ReleasePass = { started: 0, failed: 0 };
  for (const release of store.due(clock(), BUFFER_RELEASES_PER_PASS)) {
    const attempts = release.attempts + 1;
    const delay = releaseRetryDelay(attempts);
    store.retryLater(release.seq, attempts, clock() + delay);
    try {
      await start(release);
      store.done(release.seq);
      pass.started++;
    } catch (err) {
      pass.failed++;
      console.error(
        `stepflare: starting the run of ${release.events.length} buffered event(s) for function "${release.functionId}" failed ` +
          `(attempt ${attempts}); kept, retrying in ${delay} ms`,
        err,
      );
    }
  }
  return pass;
}
