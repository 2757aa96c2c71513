import { describe, expect, it } from "vitest";
import { rfc3339, tickEvent, tickKey } from "../../src/cron/tick-event";

describe("tickEvent", () => {
  it("is inngest/scheduled.timer for its function, keyed and identified by the scheduled time", () => {
    const scheduledAt = Date.parse("2025-06-01T09:00:00Z");
    const event = tickEvent({ functionId: "app-report", cron: "TZ=Europe/Paris 0 11 * * *", scheduledAt, fireAt: scheduledAt + 1_234 });
    expect(event).toEqual({
      name: "inngest/scheduled.timer",
      data: { cron: "TZ=Europe/Paris 0 11 * * *", scheduledAt: "2025-06-01T09:00:00Z", fireAt: "2025-06-01T09:00:01.234Z" },
      ts: scheduledAt,
      key: `cron:app-report:TZ=Europe/Paris 0 11 * * *:${scheduledAt}`,
      id: "2025-06-01T09:00:00Z",
      target: "app-report",
    });
  });

  it("gives every (function, expression, time) its own key", () => {
    const t = Date.parse("2025-06-01T09:00:00Z");
    const keys = new Set([
      tickKey({ functionId: "a", cron: "* * * * *" }, t),
      tickKey({ functionId: "b", cron: "* * * * *" }, t),
      tickKey({ functionId: "a", cron: "*/1 * * * *" }, t),
      tickKey({ functionId: "a", cron: "* * * * *" }, t + 60_000),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe("rfc3339", () => {
  it("writes UTC like Go's time.RFC3339, with a fraction only when there is one", () => {
    expect(rfc3339(Date.parse("2025-06-01T09:00:00Z"))).toBe("2025-06-01T09:00:00Z");
    expect(rfc3339(Date.parse("2025-06-01T09:00:00.050Z"))).toBe("2025-06-01T09:00:00.050Z");
  });
});
