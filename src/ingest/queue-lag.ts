/**
 * How far behind a Queue is, as sending something again needs to know it: an event (or a run's
 * history) sent while the Queue still holds older messages is late, not lost, and sending it
 * again would only lengthen the backlog that makes it late.
 * @module
 */

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
    console.warn("stepflare: could not read a Queue's backlog; what is due to be sent again is sent", err);
    return null;
  }
}
