import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, MAX_EVENT_NAME_LENGTH, MAX_EVENT_TS, MAX_EVENTS_PER_REQUEST, MIN_EVENT_TS } from "../../src/constants";
import { parseEventPayload } from "../../src/ingest/validate-events";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function parse(body: unknown) {
  return parseEventPayload(JSON.stringify(body), NOW);
}

function errorOf(body: unknown): string {
  const result = parse(body);
  if (result.ok) throw new Error("expected the payload to be rejected");
  return result.error;
}

function eventsOf(body: unknown) {
  const result = parse(body);
  if (!result.ok) throw new Error(`expected the payload to be accepted: ${result.error}`);
  return result.events;
}

describe("parseEventPayload: body shape", () => {
  it("rejects a body that is not JSON", () => {
    const result = parseEventPayload("{not json", NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^request body is not valid JSON: \S/);
  });

  it("rejects an empty body as not JSON", () => {
    const result = parseEventPayload("", NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^request body is not valid JSON/);
  });

  it.each([["a string"], [42], [null], [true]])("rejects a top-level %j", (body) => {
    expect(errorOf(body)).toBe("request body must be an event object or an array of event objects");
  });

  it("accepts a single object as one event", () => {
    const events = eventsOf({ name: "app/a", data: { x: 1 } });
    expect(events).toEqual([{ name: "app/a", data: { x: 1 }, ts: NOW, user: {} }]);
  });

  it("accepts an array and keeps input order", () => {
    const events = eventsOf([{ name: "a" }, { name: "b" }, { name: "c" }]);
    expect(events.map((e) => e.name)).toEqual(["a", "b", "c"]);
  });

  it("accepts an empty array as no events", () => {
    expect(eventsOf([])).toEqual([]);
  });

  it(`accepts exactly ${MAX_EVENTS_PER_REQUEST} events`, () => {
    const body = Array.from({ length: MAX_EVENTS_PER_REQUEST }, (_, i) => ({ name: `e${i}` }));
    expect(eventsOf(body)).toHaveLength(MAX_EVENTS_PER_REQUEST);
  });

  it(`rejects ${MAX_EVENTS_PER_REQUEST + 1} events, naming the count and the limit`, () => {
    const body = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, (_, i) => ({ name: `e${i}` }));
    const error = errorOf(body);
    expect(error).toContain(String(MAX_EVENTS_PER_REQUEST + 1));
    expect(error).toContain(String(MAX_EVENTS_PER_REQUEST));
  });

  it.each([[5], ["str"], [null], [[{ name: "nested" }]]])("rejects a non-object element %j", (element) => {
    expect(errorOf([{ name: "ok" }, element])).toBe("event 1: must be an object");
  });
});

describe("parseEventPayload: name", () => {
  it("requires a name, naming the index and the field", () => {
    expect(errorOf([{ name: "a" }, { name: "b" }, { name: "c" }, { data: {} }])).toBe('event 3: "name" is required');
  });

  it("treats an empty or null name as missing", () => {
    expect(errorOf([{ name: "" }])).toBe('event 0: "name" is required');
    expect(errorOf([{ name: null }])).toBe('event 0: "name" is required');
  });

  it("rejects a name that is not a string", () => {
    expect(errorOf([{ name: 12 }])).toBe('event 0: "name" must be a string');
  });

  it("accepts a name at the length limit and rejects one past it", () => {
    expect(eventsOf([{ name: "n".repeat(MAX_EVENT_NAME_LENGTH) }])).toHaveLength(1);
    const error = errorOf([{ name: "n".repeat(MAX_EVENT_NAME_LENGTH + 1) }]);
    expect(error).toMatch(/^event 0: "name" /);
    expect(error).toContain(String(MAX_EVENT_NAME_LENGTH));
  });

  it("rejects names in the reserved inngest/ namespace", () => {
    const error = errorOf([{ name: "app/ok" }, { name: "inngest/function.failed" }]);
    expect(error).toMatch(/^event 1: "name" /);
    expect(error).toContain('"inngest/"');
    expect(error).toContain("reserved for system events");
  });

  it("only reserves the exact prefix", () => {
    expect(eventsOf([{ name: "inngest.custom" }, { name: "my/inngest/x" }])).toHaveLength(2);
  });
});

describe("parseEventPayload: data and user", () => {
  it("defaults data and user to empty objects", () => {
    const [event] = eventsOf([{ name: "a", data: null, user: null }]);
    expect(event).toEqual({ name: "a", data: {}, ts: NOW, user: {} });
  });

  it.each([[[1, 2]], ["text"], [3]])("rejects data %j", (data) => {
    expect(errorOf([{ name: "a" }, { name: "b", data }])).toBe('event 1: "data" must be an object');
  });

  it("rejects a user that is not an object", () => {
    expect(errorOf([{ name: "a", user: ["x"] }])).toBe('event 0: "user" must be an object');
  });

  it("strips data._inngest and keeps everything else", () => {
    const [event] = eventsOf([{ name: "a", data: { _inngest: { fn_id: "x" }, keep: { nested: true } } }]);
    expect(event?.data).toEqual({ keep: { nested: true } });
  });

  it("keeps user fields as sent", () => {
    const [event] = eventsOf([{ name: "a", user: { email: "a@b.c" } }]);
    expect(event?.user).toEqual({ email: "a@b.c" });
  });
});

describe("parseEventPayload: ts", () => {
  it("defaults a missing, null or zero ts to now", () => {
    const events = eventsOf([{ name: "a" }, { name: "b", ts: null }, { name: "c", ts: 0 }]);
    expect(events.map((e) => e.ts)).toEqual([NOW, NOW, NOW]);
  });

  it("keeps a ts within the range, including both bounds", () => {
    const events = eventsOf([
      { name: "a", ts: MIN_EVENT_TS },
      { name: "b", ts: MAX_EVENT_TS },
      { name: "c", ts: 1_700_000_000_000 },
    ]);
    expect(events.map((e) => e.ts)).toEqual([MIN_EVENT_TS, MAX_EVENT_TS, 1_700_000_000_000]);
  });

  it("rejects a ts before 1980", () => {
    const error = errorOf([{ name: "a" }, { name: "b", ts: MIN_EVENT_TS - 1 }]);
    expect(error).toMatch(/^event 1: "ts" /);
    expect(error).toContain(String(MIN_EVENT_TS - 1));
    expect(error).toContain("1980-01-01");
  });

  it("rejects a ts after 2100", () => {
    const error = errorOf([{ name: "a", ts: MAX_EVENT_TS + 1 }]);
    expect(error).toMatch(/^event 0: "ts" /);
    expect(error).toContain("2100-01-01");
  });

  it("rejects a ts in seconds rather than milliseconds", () => {
    expect(errorOf([{ name: "a", ts: 1_700_000_000 }])).toMatch(/^event 0: "ts" .*outside/);
  });

  it("rejects a ts that is not an integer number", () => {
    expect(errorOf([{ name: "a", ts: "1700000000000" }])).toMatch(/^event 0: "ts" must be a number/);
    expect(errorOf([{ name: "a", ts: 1_700_000_000_000.5 }])).toMatch(/^event 0: "ts" must be an integer/);
  });
});

describe("parseEventPayload: id and v", () => {
  it("keeps a given id and v", () => {
    const [event] = eventsOf([{ name: "a", id: "order-1", v: "2024-01-01.1" }]);
    expect(event).toEqual({ name: "a", data: {}, id: "order-1", ts: NOW, user: {}, v: "2024-01-01.1" });
  });

  it("treats an empty or null id and v as absent", () => {
    const [first, second] = eventsOf([
      { name: "a", id: "", v: "" },
      { name: "b", id: null, v: null },
    ]);
    expect(first).not.toHaveProperty("id");
    expect(first).not.toHaveProperty("v");
    expect(second).not.toHaveProperty("id");
    expect(second).not.toHaveProperty("v");
  });

  it("rejects an id or v that is not a string", () => {
    expect(errorOf([{ name: "a", id: 7 }])).toBe('event 0: "id" must be a string');
    expect(errorOf([{ name: "a", v: 2 }])).toBe('event 0: "v" must be a string');
  });

  it("drops fields Inngest events do not have", () => {
    const [event] = eventsOf([{ name: "a", meta: { sessions: {} }, extra: 1 }]);
    expect(Object.keys(event ?? {}).sort()).toEqual(["data", "name", "ts", "user"]);
  });
});

describe("parseEventPayload: size", () => {
  /** An event whose JSON is exactly `size` bytes once defaults are applied. */
  function eventOfSize(size: number) {
    const base = JSON.stringify({ name: "big", data: { blob: "" }, ts: NOW, user: {} });
    return { name: "big", data: { blob: "x".repeat(size - base.length) } };
  }

  it("accepts an event of exactly the limit", () => {
    expect(eventsOf([eventOfSize(MAX_EVENT_BYTES)])).toHaveLength(1);
  });

  it("rejects a 513 KiB event, naming the index, the size and the limit", () => {
    const error = errorOf([{ name: "small" }, eventOfSize(513 * 1024)]);
    expect(error).toMatch(/^event 1: /);
    expect(error).toContain(String(513 * 1024));
    expect(error).toContain(String(MAX_EVENT_BYTES));
  });

  it("counts UTF-8 bytes, not characters", () => {
    // "é" is 2 bytes and "😀" is 4 bytes (a surrogate pair) in UTF-8.
    const chars = Math.ceil(MAX_EVENT_BYTES / 2);
    expect(errorOf([{ name: "a", data: { s: "é".repeat(chars) } }])).toMatch(/^event 0: .*bytes/);
    expect(errorOf([{ name: "a", data: { s: "😀".repeat(MAX_EVENT_BYTES / 4) } }])).toMatch(/^event 0: .*bytes/);
    expect(eventsOf([{ name: "a", data: { s: "é".repeat(chars - 100) } }])).toHaveLength(1);
  });
});

describe("parseEventPayload: all or nothing", () => {
  it("rejects the whole request when only the last event is invalid", () => {
    const body = [...Array.from({ length: 10 }, (_, i) => ({ name: `ok${i}` })), { name: "inngest/x" }];
    expect(parse(body)).toEqual({ ok: false, error: expect.stringMatching(/^event 10: "name" /) });
  });

  it("reports the first invalid event", () => {
    expect(errorOf([{ name: "a" }, { data: {} }, { name: "inngest/x" }])).toBe('event 1: "name" is required');
  });

  it("keeps an own __proto__ key in data as data, without touching prototypes", () => {
    const result = parseEventPayload('{"name":"a","data":{"__proto__":{"polluted":true},"k":1}}', NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const data = result.events[0]!.data;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("unpaired surrogates", () => {
  it("rejects a lone surrogate in data, naming the event", () => {
    const result = parseEventPayload('[{"name":"a"},{"name":"b","data":{"x":"\\ud800"}}]', Date.now());
    expect(result).toEqual({ ok: false, error: expect.stringContaining("event 1: contains a string with an unpaired UTF-16 surrogate") });
  });

  it("accepts paired surrogates and the escaped text of one", () => {
    const result = parseEventPayload('{"name":"a","data":{"emoji":"\\ud83d\\ude00","text":"\\\\ud800"}}', Date.now());
    expect(result.ok).toBe(true);
  });
});
