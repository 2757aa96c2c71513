import { DEFAULT_RETENTION_MS } from "../constants";
import type { Env } from "../env";
import { DurationError, parseDurationMs } from "../time/duration";

/** STEPFLARE_RETENTION is set to something that is not a positive duration. */
export class RetentionSettingError extends Error {
  override readonly name = "RetentionSettingError";

  constructor(readonly setting: string) {
    super(`STEPFLARE_RETENTION="${setting}" is not a positive duration such as "7d", "36h" or "30m"; nothing is deleted until it is fixed`);
  }
}

/**
 * How long history, event rows, claims and ended runs' objects are kept: STEPFLARE_RETENTION
 * (a duration such as `7d`), DEFAULT_RETENTION_MS when unset. Throws RetentionSettingError when
 * it is set to anything else: deleting data on a misread setting is not an outcome to guess at.
 */
export function retentionMs(env: Pick<Env, "STEPFLARE_RETENTION">): number {
  const setting = env.STEPFLARE_RETENTION?.trim();
  if (!setting) return DEFAULT_RETENTION_MS;
  let ms: number;
  try {
    ms = parseDurationMs(setting);
  } catch (err) {
    if (err instanceof DurationError) throw new RetentionSettingError(setting);
    throw err;
  }
  if (!(ms > 0)) throw new RetentionSettingError(setting);
  return ms;
}
