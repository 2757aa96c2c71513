import { afterEach, beforeEach, describe, it, expect, vi } from "vitest";
import { evaluateExpression, matchesExpression } from "../../src/expressions";
import { LruCache } from "../../src/expressions/cache";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const event = {
  data: {
    name: "Ada Lovelace",
    payload: '{"plan":"pro","seats":3}',
    createdAt: "2025-01-15T11:00:00Z",
    epochSeconds: 1_736_942_400,
  },
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("string functions", () => {
  it("lowercase and uppercase", () => {
    expect(evaluateExpression("lowercase(event.data.name)", { event })).toBe("ada lovelace");
    expect(evaluateExpression("uppercase(event.data.name)", { event })).toBe("ADA LOVELACE");
  });

  it("lowercase fails at evaluation on a non-string field", () => {
    expect(() => evaluateExpression("lowercase(event.data.epochSeconds)", { event })).toThrow(/lowercase/);
  });
});

describe("json_parse", () => {
  it("parses a JSON string into a map usable in the expression", () => {
    expect(evaluateExpression("json_parse(event.data.payload).plan", { event })).toBe("pro");
    expect(matchesExpression("json_parse(event.data.payload).seats > 2", { event })).toBe(true);
  });

  it("is an evaluation error for invalid JSON", () => {
    expect(matchesExpression('json_parse("{nope").a == 1', { event })).toBe(false);
  });
});

describe("date", () => {
  it.each([
    ['date("2025-01-15T11:00:00Z")', "2025-01-15T11:00:00.000Z"],
    ['date("2025-01-15T13:00:00+02:00")', "2025-01-15T11:00:00.000Z"],
    ['date("2025-01-15T11:00:00.25Z")', "2025-01-15T11:00:00.250Z"],
    ['date("2025-01-15T11:00:00")', "2025-01-15T11:00:00.000Z"],
    ['date("2025-01-15")', "2025-01-15T00:00:00.000Z"],
    ['date("Wed, 15 Jan 2025 11:00:00 GMT")', "2025-01-15T11:00:00.000Z"],
    ["date(1736938800)", "2025-01-15T11:00:00.000Z"],
    ["date(1736938800000)", "2025-01-15T11:00:00.000Z"],
    ["date(1736938800000000000)", "2025-01-15T11:00:00.000Z"],
    ["date(event.data.epochSeconds)", "2025-01-15T12:00:00.000Z"],
  ])("%s is %s", (source, expected) => {
    expect(evaluateExpression(source, { event })).toBe(expected);
  });

  it.each(['date("not a date")', 'date("2025-02-30")', "date(12345)", "date(true)"])("%s is an evaluation error", (source) => {
    expect(() => evaluateExpression(source, { event })).toThrow(/date\(\)/);
  });

  it("compares with other timestamps", () => {
    const source = 'date(event.data.createdAt) < date("2025-01-16")';
    expect(matchesExpression(source, { event })).toBe(true);
  });
});

describe("now, now_plus, now_minus", () => {
  it("now() is the current time", () => {
    expect(evaluateExpression("now()", {})).toBe(new Date(NOW).toISOString());
  });

  it("now_plus and now_minus offset by a duration string", () => {
    const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
    expect(evaluateExpression('now_plus("5m")', {})).toBe(at(300_000));
    expect(evaluateExpression('now_minus("1h30m")', {})).toBe(at(-5_400_000));
    expect(evaluateExpression('now_plus("2d")', {})).toBe(at(172_800_000));
  });

  it("support the common 'created within the last hour' condition", () => {
    const within = (window: string) => `date(event.data.createdAt) > now_minus("${window}")`;
    expect(matchesExpression(within("2h"), { event })).toBe(true);
    expect(matchesExpression(within("30m"), { event })).toBe(false);
  });

  it("reject a malformed duration at evaluation", () => {
    expect(() => evaluateExpression('now_plus("soon")', {})).toThrow(/invalid duration/);
  });
});

describe("LruCache", () => {
  it("evicts the least recently used entry when full", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
  });
});
