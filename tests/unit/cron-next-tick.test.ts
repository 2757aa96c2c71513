import { describe, expect, it } from "vitest";
import { nextTick, previousTick } from "../../src/cron/next-tick";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("nextTick", () => {
  it("is strictly after the given time, in UTC without a TZ= prefix", () => {
    expect(iso(nextTick("* * * * *", at("2025-01-01T12:00:00Z")))).toBe("2025-01-01T12:01:00.000Z");
    expect(iso(nextTick("* * * * *", at("2025-01-01T11:59:59.999Z")))).toBe("2025-01-01T12:00:00.000Z");
    expect(iso(nextTick("0 9 * * *", at("2025-01-01T09:00:00.001Z")))).toBe("2025-01-02T09:00:00.000Z");
    expect(iso(nextTick("@hourly", at("2025-01-01T09:30:00Z")))).toBe("2025-01-01T10:00:00.000Z");
  });

  it("keeps a TZ=America/New_York schedule on local time across the spring-forward change", () => {
    const cron = "TZ=America/New_York 0 9 * * *";
    // 9:00 EST is 14:00 UTC; from 9 March 2025, 9:00 EDT is 13:00 UTC.
    expect(iso(nextTick(cron, at("2025-03-08T12:00:00Z")))).toBe("2025-03-08T14:00:00.000Z");
    expect(iso(nextTick(cron, at("2025-03-08T14:00:00Z")))).toBe("2025-03-09T13:00:00.000Z");
    // 2:30 does not exist on 9 March: it fires an hour later, at 3:30 EDT.
    expect(iso(nextTick("TZ=America/New_York 30 2 * * *", at("2025-03-08T12:00:00Z")))).toBe("2025-03-09T07:30:00.000Z");
  });

  it("fires a local time that a fall-back change repeats only once (TZ=America/New_York)", () => {
    const cron = "TZ=America/New_York 30 1 * * *";
    const first = nextTick(cron, at("2025-11-01T12:00:00Z"));
    expect(iso(first)).toBe("2025-11-02T05:30:00.000Z"); // 1:30 EDT
    expect(iso(nextTick(cron, first))).toBe("2025-11-03T06:30:00.000Z"); // next day, 1:30 EST
  });

  it("keeps a TZ=Europe/Paris schedule on local time across the spring-forward change", () => {
    const cron = "TZ=Europe/Paris 0 9 * * *";
    // 9:00 CET is 08:00 UTC; from 30 March 2025, 9:00 CEST is 07:00 UTC.
    const saturday = nextTick(cron, at("2025-03-28T12:00:00Z"));
    expect(iso(saturday)).toBe("2025-03-29T08:00:00.000Z");
    expect(iso(nextTick(cron, saturday))).toBe("2025-03-30T07:00:00.000Z");
  });

  it("keeps a TZ=Europe/Paris schedule on local time across the fall-back change", () => {
    const cron = "TZ=Europe/Paris 0 9 * * *";
    const saturday = nextTick(cron, at("2025-10-24T12:00:00Z"));
    expect(iso(saturday)).toBe("2025-10-25T07:00:00.000Z");
    expect(iso(nextTick(cron, saturday))).toBe("2025-10-26T08:00:00.000Z");
  });
});

describe("previousTick", () => {
  it("is strictly before the given time", () => {
    expect(iso(previousTick("* * * * *", at("2025-01-01T12:00:00Z")))).toBe("2025-01-01T11:59:00.000Z");
    expect(iso(previousTick("* * * * *", at("2025-01-01T12:00:00.001Z")))).toBe("2025-01-01T12:00:00.000Z");
    expect(iso(previousTick("TZ=Europe/Paris 0 9 * * *", at("2025-03-30T12:00:00Z")))).toBe("2025-03-30T07:00:00.000Z");
  });
});
