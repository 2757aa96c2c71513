/**
 * Parsing absolute timestamps the SDK and HTTP put in strings (`sleepUntil`, `Retry-After`).
 * @module
 */

/** RFC 3339 / ISO 8601: a date, optionally a time, optionally a zone (`Z`, `+hh:mm`, `+hhmm`). */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/** RFC 1123 / HTTP-date, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`. */
const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Parse an ISO 8601 / RFC 3339 timestamp or an HTTP date into ms since the epoch, or `undefined`
 * if `input` is neither. A time without a zone is read as UTC, as the Inngest server does; left
 * to `Date.parse` it would be local time, which differs between a laptop and workerd.
 */
export function parseTimestampMs(input: string): number | undefined {
  const text = input.trim();
  const iso = ISO_8601.exec(text);
  if (iso) {
    const [, date, time, fraction, zone] = iso;
    if (time === undefined) return finite(Date.parse(`${date}T00:00:00Z`));
    // Date.parse only promises millisecond fractions; finer digits are dropped.
    const ms = fraction === undefined ? "" : `.${fraction.slice(0, 3).padEnd(3, "0")}`;
    const seconds = time.length === 5 ? `${time}:00` : time;
    const offset = zone === undefined || zone.toUpperCase() === "Z" ? "Z" : withColon(zone);
    return finite(Date.parse(`${date}T${seconds}${ms}${offset}`));
  }
  if (HTTP_DATE.test(text)) return finite(Date.parse(text));
  return undefined;
}

function withColon(offset: string): string {
  return offset.includes(":") ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
}
