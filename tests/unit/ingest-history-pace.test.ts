import { describe, expect, it } from "vitest";
import { EVENT_HISTORY_MIN_INTERVAL_MS, EVENT_HISTORY_WRITE_DELAY_MS } from "../../src/constants";
import { historyWriteAt, pacedAlarmAt } from "../../src/ingest/history-pace";

const NOW = 1_800_000_000_000;

describe("pacing an event shard's history writes", () => {
  it("writes a change after a quiet spell EVENT_HISTORY_WRITE_DELAY_MS later", () => {
    expect(historyWriteAt(NOW, null)).toBe(NOW + EVENT_HISTORY_WRITE_DELAY_MS);
    expect(historyWriteAt(NOW, NOW - 10 * EVENT_HISTORY_MIN_INTERVAL_MS)).toBe(NOW + EVENT_HISTORY_WRITE_DELAY_MS);
  });

  it("writes a busy shard's changes no sooner than EVENT_HISTORY_MIN_INTERVAL_MS after its last alarm began", () => {
    const lastAlarmAt = NOW - 100;
    expect(historyWriteAt(NOW, lastAlarmAt)).toBe(lastAlarmAt + EVENT_HISTORY_MIN_INTERVAL_MS);
    expect(pacedAlarmAt(NOW + 1, lastAlarmAt)).toBe(lastAlarmAt + EVENT_HISTORY_MIN_INTERVAL_MS);
  });

  it("leaves a later time (a re-drive, a claim's expiry) as it is", () => {
    expect(pacedAlarmAt(NOW + 30_000, NOW)).toBe(NOW + 30_000);
  });
});
