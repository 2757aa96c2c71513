/**
 * Duration strings (`"1w2d3h4m5s"`, `"1.5h"`, `"2 days"`) and sleep wake times.
 * @module
 */
import { MAX_SLEEP_MS } from "../constants";
import { parseTimestampMs } from "./timestamp";

/** A duration string that is neither Go-style nor `ms`-library style. */
export class DurationError extends Error {
  override readonly name = "DurationError";

  constructor(readonly input: string) {
    super(`Invalid duration "${input}": expected e.g. "1h30m", "500ms", "1.5h" or "2 days"`);
  }
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Milliseconds per unit. Go's `str2duration` units (ns, us, µs, ms, s, m, h, d, w) plus the
 * spellings of the `ms` library the SDK accepts; `y` is 365.25 days as in `ms`.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  nanosecond: 1e-6,
  nanoseconds: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  microsecond: 1e-3,
  microseconds: 1e-3,
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: SECOND,
  sec: SECOND,
  secs: SECOND,
  second: SECOND,
  seconds: SECOND,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: HOUR,
  hr: HOUR,
  hrs: HOUR,
  hour: HOUR,
  hours: HOUR,
  d: DAY,
  day: DAY,
  days: DAY,
  w: 7 * DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
  y: 365.25 * DAY,
  yr: 365.25 * DAY,
  yrs: 365.25 * DAY,
  year: 365.25 * DAY,
  years: 365.25 * DAY,
};

/**
 * Parse a duration into whole milliseconds (rounded). Accepts Go-style compounds (`1w2d3h4m5s`,
 * `1h30m`, `500ms`, `1.5h`), `ms`-library phrases (`1 hour`, `2 days`, `30 minutes`) and `"0"`.
 * Throws {@link DurationError} on anything else, including negative values and bare numbers.
 */
export function parseDurationMs(input: string): number {
  const text = input.trim();
  if (text === "0") return 0;
  // One `<number><spaces?><unit>` term per match; sticky, so nothing may sit between terms.
  const term = /\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z\u00b5\u03bc]+)/giy;
  let total = 0;
  let terms = 0;
  for (let match = term.exec(text); match; match = term.exec(text)) {
    const [, amount, unit] = match;
    const perUnit = UNIT_MS[unit?.toLowerCase() ?? ""];
    if (perUnit === undefined) throw new DurationError(input);
    total += Number(amount) * perUnit;
    terms++;
    if (term.lastIndex === text.length) break;
  }
  // A failed match resets lastIndex to 0, so anything unparsed leaves it short of the end.
  if (terms === 0 || term.lastIndex !== text.length || !Number.isFinite(total)) {
    throw new DurationError(input);
  }
  return Math.round(total);
}

/**
 * When a `Sleep` op whose `name` is `input` should wake, in ms since the epoch. Like the Inngest
 * server, strings of 10+ characters that parse as a timestamp (`sleepUntil`) are absolute times
 * and anything else is a duration from `nowMs`. Empty strings and past times wake at `nowMs`;
 * wake times are clamped to {@link MAX_SLEEP_MS} ahead. Throws {@link DurationError} otherwise.
 */
export function resolveWakeTime(input: string, nowMs: number): number {
  // The SDK writes `step.sleep(0)` as a Sleep op with an empty name.
  if (input.trim() === "") return nowMs;
  const at = input.length >= 10 ? parseTimestampMs(input) : undefined;
  const wakeAt = at ?? nowMs + parseDurationMs(input);
  return Math.min(Math.max(wakeAt, nowMs), nowMs + MAX_SLEEP_MS);
}
