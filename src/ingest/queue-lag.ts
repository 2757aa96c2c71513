/**
 * How far behind a Queue is, as sending something again needs to know it: an event (or a run's
 * history) sent while the Queue still holds older messages is late, not lost, and sending it
 * again would only lengthen the backlog that makes it late.
 * @module
 */

import { QUEUE_BEHIND_MAX_WAIT_MS } from "../constants";

/** Whether this isolate has said that a Queue's metrics failed: once is enough, not once per resend. */
let metricsFailureLogged = false;

/**
 * When the oldest message still waiting in `queue` was sent (ms), or null when nothing waits or
 * the Queue cannot tell (its metrics failed or are not offered): then nothing is known to be
 * ahead of what was sent, and what is due to be sent again is sent, as without this check.
 */
export async function oldestWaitingSentAt(queue: Queue<unknown>): Promise<number | null> {
  try {
    const { backlogCount, oldestMessageTimestamp } = await queue.metrics();
    if (!(backlogCount > 0) || oldestMessageTimestamp === undefined) return null;
    const at = new Date(oldestMessageTimestamp).getTime();
    // Local Queues report an empty backlog's oldest message as the epoch.
    return Number.isFinite(at) && at > 0 ? at : null;
  } catch (err) {
    if (!metricsFailureLogged) {
      metricsFailureLogged = true;
      console.warn("stepflare: could not read a Queue's backlog; what is due to be sent again is sent (said once per isolate)", err);
    }
    return null;
  }
}

/**
 * How long to wait before looking again at something the Queue has not reached: the Queue's lag
 * (the age of its oldest waiting message), at least `least` and at most QUEUE_BEHIND_MAX_WAIT_MS.
 * A Queue that is minutes behind will not reach it sooner, and looking every few seconds would
 * wake every waiting sender (thousands of runs) for nothing.
 */
export function lookAgainAfter(oldest: number, now: number, least: number): number {
  return Math.min(Math.max(least, now - oldest), QUEUE_BEHIND_MAX_WAIT_MS);
}
