/**
 * Parser for the duration strings accepted by `now_plus` and `now_minus`.
 * @module
 */

/** Milliseconds per unit; Inngest's parser (go-str2duration) also accepts days and weeks. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The whole string: an optional sign, then one or more number-unit pairs such as `1h30m`. */
const DURATION_PATTERN = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w))+$/;
const PART_PATTERN = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w)/g;

/**
 * Parses a Go-style duration (`"5m"`, `"1h30m"`, `"1.5d"`, `"-2w"`, `"0"`) into milliseconds.
 * Returns undefined for anything else, including the empty string.
 */
export function parseDurationMs(text: string): number | undefined {
  if (text === "0") return 0;
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_PATTERN)) {
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  return text.startsWith("-") ? -total : total;
}
