/**
 * The one error type the expressions module throws, so callers branch on `reason` instead of
 * parsing library messages.
 * @module
 */

/**
 * Why an expression failed: it does not parse (`syntax`), it parses but uses an unknown function
 * or an operator on incompatible literal types (`type`), or it failed on the given data
 * (`evaluation`, e.g. a missing field or a bad argument to `date()`), or it is too long, too
 * costly, or built a value too large (`limit`; see the expression limits in constants.ts).
 */
export type ExpressionErrorReason = "syntax" | "evaluation" | "type" | "limit";

/** A CEL expression failed to compile or evaluate. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  /** The expression source as the user wrote it. */
  readonly expression: string;
  readonly reason: ExpressionErrorReason;
  /** Zero-based character offset of the offending token, when the library reports one. */
  readonly position: number | undefined;

  constructor(expression: string, reason: ExpressionErrorReason, message: string, options: { position?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.expression = expression;
    this.reason = reason;
    this.position = options.position;
  }
}

/**
 * Wraps anything thrown by the CEL library (or by our custom functions) as an ExpressionError,
 * keeping the library's one-line summary rather than its multi-line source excerpt so the
 * message fits in logs and API responses.
 */
export function toExpressionError(expression: string, reason: ExpressionErrorReason, cause: unknown): ExpressionError {
  const details = cause as { summary?: unknown; range?: { start?: unknown } } | null;
  const summary = typeof details?.summary === "string" ? details.summary : cause instanceof Error ? cause.message : String(cause);
  const start = details?.range?.start;
  const position = typeof start === "number" ? start : undefined;
  const where = position === undefined ? "" : ` at column ${position + 1}`;
  return new ExpressionError(expression, reason, `${summary}${where}`, { position, cause });
}
