/**
 * One-call helpers over compileExpression for the server's uses of expressions: computing
 * keys, testing `if` conditions, and validating configs at sync.
 * @module
 */
import { compileExpression, type ExpressionVariables } from "./compile";
import { ExpressionError } from "./errors";

/**
 * Evaluates `source` and returns its result as a plain value (see toPlainValue).
 * Throws ExpressionError: "syntax"/"type" if it does not compile, "evaluation" if it fails.
 */
export function evaluateExpression(source: string, variables: ExpressionVariables): unknown {
  return compileExpression(source).evaluate(variables);
}

/**
 * True only when `source` evaluates to boolean `true`. Any ExpressionError, including a
 * missing field or an expression that does not compile, is a non-match: Inngest treats an
 * erroring trigger or `if` condition as not matching, and one bad expression must never stop
 * event routing. Configs are validated at sync, so compile failures should not reach here.
 */
export function matchesExpression(source: string, variables: ExpressionVariables): boolean {
  try {
    return evaluateExpression(source, variables) === true;
  } catch (error) {
    if (error instanceof ExpressionError) return false;
    throw error;
  }
}

/** Null when `source` compiles; otherwise a one-line message saying what is wrong and where. */
export function validateExpression(source: string): string | null {
  try {
    compileExpression(source);
    return null;
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
}
