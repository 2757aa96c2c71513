import { SWEEP_BATCH_LIMIT, SWEEP_OVERDUE_MS } from "../constants";
import type { Env } from "../env";
import { overdueRunIds, recordWakeTimes } from "../history/runs";
import { mapLimit } from "../util/map-limit";

/** Runs poked at once during a sweep. */
const SWEEP_CONCURRENCY = 10;

/**
 * Wakes active runs whose next wake-up, as last copied to history, is more than
 * SWEEP_OVERDUE_MS past: their alarm was lost (retries exhausted, a platform fault). Each run
 * re-arms its alarm only if none is set, and its answer refreshes the recorded wake-up, so a
 * run is not poked again until it is overdue again. At most SWEEP_BATCH_LIMIT runs per pass,
 * oldest first. Returns how many runs were poked.
 */
export async function sweepOverdueRuns(env: Env, now: number): Promise<number> {
  const ids = await overdueRunIds(env.DB, now - SWEEP_OVERDUE_MS, SWEEP_BATCH_LIMIT);
  if (ids.length === 0) return 0;
  const woken = await mapLimit(ids, SWEEP_CONCURRENCY, async (id) => {
    try {
      return { id, wakeAt: (await env.RUNS.getByName(id).poke()).wakeAt };
    } catch (err) {
      // Left as it is: the next heartbeat tries again.
      console.error(`stepflare: waking overdue run ${id} failed`, err);
      return null;
    }
  });
  const answered = woken.filter((w) => w !== null);
  await recordWakeTimes(env.DB, answered);
  return ids.length;
}
