/**
 * The conversion behind the `date()` expression function, following Inngest's `dateutil`:
 * strings in common formats, or integers read as Unix seconds, milliseconds or nanoseconds
 * depending on their magnitude.
 * @module
 */

/** Numbers below this (2000-01-01 in Unix seconds) are rejected, as Inngest does. */
const MIN_EPOCH_SECONDS = 946_684_800;
/** Values below this are Unix seconds; below {@link EPOCH_MILLIS_LIMIT}, milliseconds. */
const EPOCH_SECONDS_LIMIT = 9_999_999_999;
/** Values from this on are Unix nanoseconds. */
const EPOCH_MILLIS_LIMIT = 9_999_999_999_999;

/**
 * ISO 8601 / RFC 3339 date or date-time. A missing offset means UTC: Inngest parses
 * `2006-01-02T15:04:05` as UTC, whereas JavaScript's `Date.parse` would use local time.
 */
const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Converts a `date()` argument to a Date, or throws a RangeError explaining why it cannot. */
export function toDate(value: unknown): Date {
  if (typeof value === "string") return parseDateString(value);
  if (typeof value === "bigint") return fromEpochNumber(Number(value));
  if (typeof value === "number") return fromEpochNumber(Math.trunc(value));
  throw new RangeError(`date() expects a string or an integer, got ${typeof value}`);
}

function parseDateString(text: string): Date {
  const iso = ISO_PATTERN.exec(text.trim());
  // Other forms (RFC 1123, RFC 2822, ...) go to the runtime's parser. Workers run in UTC, so a
  // form without a zone reads as UTC there, as in Inngest.
  const millis = iso ? isoToMillis(iso) : Date.parse(text);
  if (!Number.isFinite(millis)) throw new RangeError(`date() cannot parse "${text}"`);
  return new Date(millis);
}

function isoToMillis(match: RegExpExecArray): number {
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", zone] = match;
  // The pattern guarantees all six groups, so these defaults only satisfy the type checker.
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = [year, month, day, hour, minute, second].map(Number);
  const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
  const base = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls over out-of-range fields (Feb 30 → Mar 2); reject them instead.
  const check = new Date(base);
  const valid =
    check.getUTCFullYear() === y &&
    check.getUTCMonth() === mo - 1 &&
    check.getUTCDate() === d &&
    check.getUTCHours() === h &&
    check.getUTCMinutes() === mi &&
    check.getUTCSeconds() === s;
  if (!valid) return Number.NaN;
  return base - zoneOffsetMinutes(zone) * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return zone.startsWith("-") ? -minutes : minutes;
}

function fromEpochNumber(value: number): Date {
  if (!Number.isFinite(value) || value < MIN_EPOCH_SECONDS) {
    throw new RangeError(`date() only reads Unix times from the year 2000 on, got ${value}`);
  }
  if (value < EPOCH_SECONDS_LIMIT) return new Date(value * 1_000);
  if (value < EPOCH_MILLIS_LIMIT) return new Date(value);
  return new Date(Math.trunc(value / 1_000_000));
}
