/**
 * The check a wait's `if` passes before its pause is registered: the same compile, with the
 * same limits (length, nesting, estimated cost), that a function config's expressions pass at
 * sync. An expression that fails it could never match (evaluation compiles it the same way), so
 * storing its pause would only keep a run waiting for nothing until the timeout.
 * @module
 */
import { validateExpression } from "../expressions";

/** Why a wait's or cancel listener's `if` is refused, or null when it may be registered (or there is none). */
export function waitExpressionRefusal(expression: string | null | undefined): string | null {
  if (expression === null || expression === undefined || expression === "") return null;
  return validateExpression(expression);
}
