import { afterEach, describe, expect, it, vi } from "vitest";
import { QUEUE_BEHIND_MAX_WAIT_MS } from "../../src/constants";
import { lookAgainAfter, oldestWaitingSentAt } from "../../src/ingest/queue-lag";

/** A Queue whose `metrics()` answers `answer` (or throws it when it is an Error). */
function queueWith(answer: QueueMetrics | Error): Queue<unknown> {
  const metrics = async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { metrics } as unknown as Queue<unknown>;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a Queue's lag", () => {
  it("is the time its oldest waiting message was sent, and unknown when nothing waits", async () => {
    const sent = Date.UTC(2026, 0, 1);
    expect(await oldestWaitingSentAt(queueWith({ backlogCount: 3, backlogBytes: 10, oldestMessageTimestamp: new Date(sent) }))).toBe(sent);
    expect(await oldestWaitingSentAt(queueWith({ backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: new Date(sent) }))).toBeNull();
    // Local Queues give an empty backlog's oldest message as the epoch.
    expect(await oldestWaitingSentAt(queueWith({ backlogCount: 1, backlogBytes: 0, oldestMessageTimestamp: new Date(0) }))).toBeNull();
  });

  it("is unknown when the metrics fail, which is said once, not on every resend", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const failing = queueWith(new Error("metrics are not offered"));
    expect(await oldestWaitingSentAt(failing)).toBeNull();
    expect(await oldestWaitingSentAt(failing)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("sets when to look again: the lag, within its bounds", () => {
    const now = 1_000_000;
    expect(lookAgainAfter(now - 5_000, now, 1_000)).toBe(5_000);
    expect(lookAgainAfter(now - 10, now, 1_000)).toBe(1_000);
    expect(lookAgainAfter(now - 10 * QUEUE_BEHIND_MAX_WAIT_MS, now, 1_000)).toBe(QUEUE_BEHIND_MAX_WAIT_MS);
  });
});
