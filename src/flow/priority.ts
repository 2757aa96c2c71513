/**
 * Run priority from the `priority.run` expression result.
 * @module
 */
import { PRIORITY_MAX_SECONDS } from "../constants";

/**
 * The priority in whole seconds, within ±`PRIORITY_MAX_SECONDS`. Integers (numbers or the
 * bigints a CEL `int` may produce) are clamped; anything else — a fraction, NaN, a string, the
 * error of a failed evaluation — is 0, as Inngest treats an invalid priority.
 */
export function clampPriority(value: unknown): number {
  if (typeof value === "bigint") {
    const max = BigInt(PRIORITY_MAX_SECONDS);
    return Number(value > max ? max : value < -max ? -max : value);
  }
  if (typeof value !== "number" || !Number.isInteger(value)) return 0;
  // `+ 0` turns -0 into 0 so stored priorities compare and serialise plainly.
  return Math.min(PRIORITY_MAX_SECONDS, Math.max(-PRIORITY_MAX_SECONDS, value)) + 0;
}
