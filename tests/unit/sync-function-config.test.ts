import { describe, expect, it } from "vitest";
import { cronError, splitCronTimezone } from "../../src/sync/cron";
import { maxAttemptsFor } from "../../src/protocol/backoff";
import { parseFunctionConfig, retriesOf, storedFunctionConfigSchema, triggersOf } from "../../src/sync/function-config";

/** A config shaped exactly as SDK v4 sends it for `createFunction({ id: "fn", triggers })`. */
function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "app-fn",
    name: "fn",
    triggers: [{ event: "app/user.created" }],
    steps: {
      step: {
        id: "step",
        name: "step",
        runtime: { type: "http", url: "http://localhost:3000/api/inngest?fnId=app-fn&stepId=step" },
      },
    },
    ...overrides,
  };
}

function errorOf(input: unknown): string {
  const result = parseFunctionConfig(input);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.error;
}

describe("parseFunctionConfig", () => {
  it("keeps unknown keys so newer SDK options survive storage", () => {
    const result = parseFunctionConfig(config({ futureOption: { x: 1 }, triggers: [{ event: "a/b", extra: true }] }));
    expect(result).toMatchObject({ ok: true, config: { futureOption: { x: 1 }, triggers: [{ event: "a/b", extra: true }] } });
  });

  it("names the function and the field of an invalid trigger expression", () => {
    const error = errorOf(config({ triggers: [{ event: "a/b", expression: "event.data.x ==" }] }));
    expect(error).toMatch(/^function "app-fn": triggers\[0\]\.expression: \S/);
  });

  it("checks every expression field, not only triggers", () => {
    expect(errorOf(config({ concurrency: [{ limit: 1, key: "event.data.(" }] }))).toMatch(/^function "app-fn": concurrency\[0\]\.key: /);
    expect(errorOf(config({ cancel: [{ event: "a/c", if: "event.data.id ==" }] }))).toMatch(/^function "app-fn": cancel\[0\]\.if: /);
    expect(errorOf(config({ priority: { run: "1 +" } }))).toMatch(/^function "app-fn": priority\.run: /);
  });

  it("treats an empty expression as none", () => {
    const result = parseFunctionConfig(config({ triggers: [{ event: "a/b", expression: "" }] }));
    if (!result.ok) throw new Error(result.error);
    expect(triggersOf(result.config)).toEqual([{ event: "a/b" }]);
  });

  it("rejects empty event names and triggers that are neither event nor cron", () => {
    expect(errorOf(config({ triggers: [{ event: "" }] }))).toBe('function "app-fn": triggers[0].event: must not be empty');
    expect(errorOf(config({ triggers: [{ event: "a/b" }, { if: "true" }] }))).toBe('function "app-fn": triggers[1]: needs exactly one of "event" or "cron"');
    expect(errorOf(config({ triggers: [{ event: "a/b", cron: "* * * * *" }] }))).toMatch(/needs exactly one/);
  });

  it("limits triggers per function", () => {
    const triggers = Array.from({ length: 11 }, (_, i) => ({ event: `a/${i}` }));
    expect(errorOf(config({ triggers }))).toBe('function "app-fn": triggers: at most 10 triggers per function');
  });

  it("validates cron triggers, with and without a time zone", () => {
    expect(parseFunctionConfig(config({ triggers: [{ cron: "TZ=Europe/Paris 0 9 * * 1-5" }] }))).toMatchObject({ ok: true });
    expect(parseFunctionConfig(config({ triggers: [{ cron: "@daily", jitter: "30s" }] }))).toMatchObject({ ok: true });
    expect(errorOf(config({ triggers: [{ cron: "garbage" }] }))).toMatch(/^function "app-fn": triggers\[0\]\.cron: expected 5 fields/);
    expect(errorOf(config({ triggers: [{ cron: "61 * * * *" }] }))).toMatch(/triggers\[0\]\.cron: invalid cron expression/);
    expect(errorOf(config({ triggers: [{ cron: "TZ=Mars/Olympus 0 9 * * *" }] }))).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(errorOf(config({ triggers: [{ cron: "* * * * *", jitter: "soon" }] }))).toMatch(/triggers\[0\]\.jitter: Invalid duration/);
    expect(errorOf(config({ triggers: [{ cron: "0 * * * *" }, { cron: "0 * * * *" }] }))).toBe('function "app-fn": triggers[1].cron: duplicate cron');
  });

  it("accepts any non-negative retry count; more than 20 is clamped when runs start, as Inngest does", () => {
    const withRetries = (attempts: number) => config({ steps: { step: { ...(config().steps as { step: object }).step, retries: { attempts } } } });
    expect(parseFunctionConfig(withRetries(0))).toMatchObject({ ok: true });
    const many = parseFunctionConfig(withRetries(50));
    expect(many.ok && maxAttemptsFor(retriesOf(many.config))).toBe(21);
    expect(errorOf(withRetries(-1))).toBe('function "app-fn": steps.step.retries.attempts: Too small: expected number to be >=0');
  });

  it("requires a step with an http URL", () => {
    expect(errorOf(config({ steps: {} }))).toBe('function "app-fn": steps: must declare at least one step');
    const badUrl = { step: { id: "step", name: "step", runtime: { type: "http", url: "not a url" } } };
    expect(errorOf(config({ steps: badUrl }))).toBe('function "app-fn": steps.step.runtime.url: not an http(s) or local:// URL: "not a url"');
  });

  it("reports the matching branch of union fields", () => {
    expect(errorOf(config({ concurrency: { limit: "five" } }))).toMatch(/^function "app-fn": concurrency\.limit: .*expected number/);
    expect(errorOf(config({ concurrency: "five" }))).toBe('function "app-fn": concurrency: expected number or object or array');
    const three = [{ limit: 1 }, { limit: 2 }, { limit: 3 }];
    expect(errorOf(config({ concurrency: three }))).toBe('function "app-fn": concurrency: at most 2 concurrency constraints');
    expect(errorOf(config({ concurrency: { limit: 1, scope: "account" } }))).toBe('function "app-fn": concurrency.key: scope "account" needs a key');
  });

  it("validates flow-control durations", () => {
    expect(errorOf(config({ throttle: { limit: 1, period: "forever" } }))).toMatch(/^function "app-fn": throttle\.period: Invalid duration/);
    expect(parseFunctionConfig(config({ debounce: { period: "5s", timeout: "1m" } }))).toMatchObject({ ok: true });
  });

  it("labels a function without an id by position only", () => {
    expect(errorOf(config({ id: 7 }))).toMatch(/^function \(no id\): id: /);
  });

  it("lists several problems at once", () => {
    const error = errorOf(config({ triggers: [{ event: "" }], steps: {} }));
    expect(error).toBe('function "app-fn": triggers[0].event: must not be empty; function "app-fn": steps: must declare at least one step');
  });
});

describe("storedFunctionConfigSchema", () => {
  it("reads configs back without re-checking expressions", () => {
    const stored = config({ triggers: [{ event: "a/b", expression: "not checked ((" }] });
    expect(storedFunctionConfigSchema.safeParse(stored).success).toBe(true);
  });
});

describe("cron strings", () => {
  it("splits a TZ or CRON_TZ prefix", () => {
    expect(splitCronTimezone("TZ=Europe/Paris 0 9 * * *")).toEqual({ timezone: "Europe/Paris", schedule: "0 9 * * *" });
    expect(splitCronTimezone("CRON_TZ=UTC  */5 * * * *")).toEqual({ timezone: "UTC", schedule: "*/5 * * * *" });
    expect(splitCronTimezone(" 0 9 * * * ")).toEqual({ schedule: "0 9 * * *" });
  });

  it("rejects what Inngest or the scheduler cannot run", () => {
    expect(cronError("0 9 * * MON-FRI")).toBeNull();
    expect(cronError("0 0 9 * * *")).toMatch(/expected 5 fields/);
    expect(cronError("H * * * *")).toMatch(/"H"/);
    expect(cronError("@every 5m")).toMatch(/unsupported descriptor/);
    expect(cronError("0 0 31 2 *")).toMatch(/invalid cron expression/);
    expect(cronError("")).toMatch(/expected 5 fields/);
  });
});

describe("flow control combinations", () => {
  const base = {
    id: "app-batched",
    name: "batched",
    triggers: [{ event: "a/b" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: "http://localhost:3000/api/inngest?fnId=app-batched&stepId=step" } } },
    batchEvents: { maxSize: 5, timeout: "2s" },
  };

  it.each(["cancel", "debounce", "singleton", "priority"])("rejects batchEvents with %s", (field) => {
    const extra = {
      cancel: [{ event: "a/stop" }],
      debounce: { period: "2s" },
      singleton: { mode: "skip" },
      priority: { run: "1" },
    }[field];
    const result = parseFunctionConfig({ ...base, [field]: extra });
    expect(result).toEqual({ ok: false, error: expect.stringContaining(`${field}: cannot be combined with batchEvents`) });
    expect(result.ok ? "" : result.error).toContain('function "app-batched"');
  });

  it("rejects a batch of one and accepts a valid batch", () => {
    expect(parseFunctionConfig({ ...base, batchEvents: { maxSize: 1, timeout: "2s" } }).ok).toBe(false);
    expect(parseFunctionConfig(base).ok).toBe(true);
  });
});
