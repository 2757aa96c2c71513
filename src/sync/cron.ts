/**
 * Cron trigger strings as Inngest accepts them: a standard 5-field schedule or a descriptor,
 * optionally prefixed with `TZ=<IANA zone> ` (or robfig's `CRON_TZ=`).
 * @module
 */
import { CronExpressionParser } from "cron-parser";

/** A cron trigger split into its time zone (absent = UTC) and its schedule. */
export interface CronSpec {
  timezone?: string;
  schedule: string;
}

const TZ_PREFIX = /^(?:CRON_)?TZ=(\S+)\s+(.+)$/;

/**
 * Descriptors both Inngest's parser (robfig/cron) and cron-parser understand; `@every` and
 * `@midnight` are robfig-only, so accepting them would leave the scheduler unable to fire them.
 */
const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"]);

/** Splits `TZ=Europe/Paris 0 9 * * *` into `{ timezone: "Europe/Paris", schedule: "0 9 * * *" }`. */
export function splitCronTimezone(cron: string): CronSpec {
  const trimmed = cron.trim();
  const match = TZ_PREFIX.exec(trimmed);
  if (!match?.[1] || !match[2]) return { schedule: trimmed };
  return { timezone: match[1], schedule: match[2].trim() };
}

/** Why `cron` is not a usable cron trigger, or null when it is. */
export function cronError(cron: string): string | null {
  const { timezone, schedule } = splitCronTimezone(cron);
  if (timezone !== undefined && !isTimeZone(timezone)) return `unknown time zone "${timezone}"`;
  if (schedule.startsWith("@")) {
    if (!DESCRIPTORS.has(schedule)) {
      return `unsupported descriptor "${schedule}" (use one of ${[...DESCRIPTORS].join(", ")} or 5 fields)`;
    }
  } else {
    // cron-parser silently accepts 1..7 fields and Jenkins-style `H`; Inngest accepts neither.
    const fields = schedule.split(/\s+/);
    if (fields.length !== 5) {
      return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length} in "${schedule}"`;
    }
    if (fields.some((field) => /(^|,)H/.test(field))) return `hashed "H" values are not supported in "${schedule}"`;
  }
  try {
    CronExpressionParser.parse(schedule, { tz: timezone ?? "UTC" }).next();
  } catch (error) {
    return `invalid cron expression "${schedule}": ${error instanceof Error ? error.message : String(error)}`;
  }
  return null;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
