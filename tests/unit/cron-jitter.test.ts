import { describe, expect, it } from "vitest";
import { MAX_CRON_JITTER_MS } from "../../src/constants";
import { fireTimeOf, jitterMsOf, jitterOffsetMs } from "../../src/cron/jitter";
import { tickKey } from "../../src/cron/tick-event";

const MINUTE = 60_000;
const T0 = Date.parse("2025-01-01T00:00:00Z");

describe("jitterMsOf", () => {
  it("reads the trigger's duration and caps it at 5 minutes", () => {
    expect(jitterMsOf(undefined)).toBe(0);
    expect(jitterMsOf("30s")).toBe(30_000);
    expect(jitterMsOf("2m")).toBe(2 * MINUTE);
    expect(jitterMsOf("1h")).toBe(MAX_CRON_JITTER_MS);
  });
});

describe("jitterOffsetMs", () => {
  it("is the same for the same key and differs between ticks", () => {
    const a = jitterOffsetMs("cron:fn:* * * * *:1", 30_000, MINUTE);
    expect(jitterOffsetMs("cron:fn:* * * * *:1", 30_000, MINUTE)).toBe(a);
    const offsets = new Set(Array.from({ length: 50 }, (_, i) => jitterOffsetMs(`cron:fn:* * * * *:${i}`, 30_000, MINUTE)));
    expect(offsets.size).toBeGreaterThan(40);
  });

  it("stays in [0, jitter) and below the gap to the next tick", () => {
    for (let i = 0; i < 1_000; i++) {
      const key = `cron:fn-${i}:*/5 * * * *:${T0 + i * 5 * MINUTE}`;
      const offset = jitterOffsetMs(key, 3 * MINUTE, 5 * MINUTE);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(3 * MINUTE);
      expect(jitterOffsetMs(key, 5 * MINUTE, MINUTE)).toBeLessThan(MINUTE);
    }
    expect(jitterOffsetMs("any", 0, MINUTE)).toBe(0);
  });
});

describe("fireTimeOf", () => {
  it("is the scheduled time without jitter", () => {
    expect(fireTimeOf({ functionId: "fn", cron: "* * * * *", jitterMs: 0 }, T0)).toBe(T0);
  });

  it("adds the tick's offset, and consecutive ticks never overlap", () => {
    const schedule = { functionId: "fn", cron: "* * * * *", jitterMs: MAX_CRON_JITTER_MS };
    let previous = -Infinity;
    for (let i = 0; i < 200; i++) {
      const scheduledAt = T0 + i * MINUTE;
      const fireAt = fireTimeOf(schedule, scheduledAt);
      expect(fireAt - scheduledAt).toBe(jitterOffsetMs(tickKey(schedule, scheduledAt), MAX_CRON_JITTER_MS, MINUTE));
      expect(fireAt).toBeGreaterThanOrEqual(scheduledAt);
      expect(fireAt).toBeLessThan(scheduledAt + MINUTE);
      expect(fireAt).toBeGreaterThan(previous);
      previous = fireAt;
    }
  });
});
