/**
 * One-call helpers over compileExpression for the server's uses of expressions: computing
 * keys, testing `if` conditions, and validating configs at sync.
 * @module
 */
import { EXPRESSION_CACHE_SIZE } from "../constants";
import { compileExpression, type ExpressionVariables } from "./compile";
import { ExpressionError } from "./errors";
import { LruCache } from "./cache";

/** Characters of an expression quoted in a log line. */
const LOGGED_SOURCE_CHARS = 120;

/** Expressions whose limit hit was already logged, so routing logs one line, not one per event. */
const loggedLimits = new LruCache<string, true>(EXPRESSION_CACHE_SIZE);

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
 * event routing. Configs are validated at sync, so compile failures should not reach here. A limit
 * hit (the expression ran out of budget on this data) is logged once per expression.
 */
export function matchesExpression(source: string, variables: ExpressionVariables): boolean {
  try {
    return evaluateExpression(source, variables) === true;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    if (error.reason === "limit") logLimitOnce(error);
    return false;
  }
}

function logLimitOnce(error: ExpressionError): void {
  // Length and prefix tell expressions apart well enough for logging, without keeping long sources.
  const key = `${error.expression.length}:${error.expression.slice(0, LOGGED_SOURCE_CHARS)}`;
  if (loggedLimits.get(key)) return;
  loggedLimits.set(key, true);
  const quoted = error.expression.length > LOGGED_SOURCE_CHARS ? `${error.expression.slice(0, LOGGED_SOURCE_CHARS)}…` : error.expression;
  console.warn(`stepflare: expression ${JSON.stringify(quoted)} counts as not matching: ${error.message}`);
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
