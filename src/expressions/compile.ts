/**
 * Compiling expressions once and evaluating them many times.
 * @module
 */
import type { Environment } from "@marcbachmann/cel-js";
import { EXPRESSION_CACHE_MAX_SOURCE_CHARS, EXPRESSION_CACHE_SIZE, EXPRESSION_MAX_ESTIMATED_COST, MAX_EXPRESSION_LENGTH } from "../constants";
import { allNodes, regexPatternNode, stringLiteral, type ExpressionNode } from "./ast";
import { createExpressionEnvironment } from "./environment";
import { ExpressionError, toExpressionError } from "./errors";
import { estimateCost } from "./estimate";
import { LruCache } from "./cache";
import { LimitExceeded, meterNodes, withBudget } from "./meter";
import { compileRegex } from "./regex";
import { toPlainValue } from "./values";

/** Values bound to the expression's variables; a missing one is bound to an empty map. */
export interface ExpressionVariables {
  event?: unknown;
  async?: unknown;
  vars?: unknown;
}

/** A parsed and type-checked expression, reusable across evaluations. */
export interface CompiledExpression {
  readonly source: string;
  /** Static result type from the checker, e.g. `"bool"`, `"string"` or `"dyn"`. */
  readonly resultType: string;
  /**
   * Evaluates against the given variables within the evaluation budget; throws ExpressionError
   * (reason "evaluation", or "limit" when it ran out of budget or built too large a value).
   */
  evaluate(variables: ExpressionVariables): unknown;
}

type Program = ReturnType<Environment["parse"]>;

let environment: Environment | undefined;
/** Compilations, and compile failures, so a bad expression met on every event fails fast. */
const compiled = new LruCache<string, CompiledExpression | ExpressionError>(
  EXPRESSION_CACHE_SIZE,
  EXPRESSION_CACHE_MAX_SOURCE_CHARS,
  (source) => source.length,
);

/**
 * Parses and type-checks `source`, returning the cached compilation when there is one.
 * Throws ExpressionError with reason "syntax" or "type", or "limit" when the source is longer
 * than MAX_EXPRESSION_LENGTH (checked before anything else, so it is never parsed or cached),
 * nested deeper than the parser allows, estimated to cost far more than one evaluation may
 * spend, or uses a hazardous regular expression.
 */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(source, "limit", `expression is ${source.length} characters long; the most allowed is ${MAX_EXPRESSION_LENGTH}`);
  }
  const cached = compiled.get(source);
  if (cached instanceof ExpressionError) throw cached;
  if (cached) return cached;
  try {
    const result = compileUncached(source);
    compiled.set(source, result);
    return result;
  } catch (error) {
    if (error instanceof ExpressionError) compiled.set(source, error);
    throw error;
  }
}

function compileUncached(source: string): CompiledExpression {
  environment ??= createExpressionEnvironment();
  let program: Program;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw toExpressionError(source, isParserLimit(error) ? "limit" : "syntax", error);
  }
  // Checking up front also stores the checked types on the AST, so evaluation skips its own
  // per-call type pass.
  const check = program.check();
  if (!check.valid) throw toExpressionError(source, "type", check.error);
  const root = program.ast as unknown as ExpressionNode;
  const cost = estimateCost(root);
  if (cost > EXPRESSION_MAX_ESTIMATED_COST) {
    throw new ExpressionError(
      source,
      "limit",
      `expression is too costly: its estimated cost of ${cost} exceeds the limit of ${EXPRESSION_MAX_ESTIMATED_COST} (comprehensions nested over large lists)`,
    );
  }
  const refused = literalRegexRefusal(root);
  if (refused) throw new ExpressionError(source, refused.reason, refused.error);
  meterNodes(root);
  return {
    source,
    resultType: check.type ?? "dyn",
    evaluate: (variables) => run(source, program, variables),
  };
}

/**
 * Why a literal `matches()` pattern is refused (not RE2 syntax, or too large to compile), so a
 * sync or API call is refused up front rather than every evaluation failing.
 */
function literalRegexRefusal(root: ExpressionNode): { reason: "syntax" | "limit"; error: string } | null {
  for (const node of allNodes(root)) {
    const pattern = regexPatternNode(node);
    const literal = pattern && stringLiteral(pattern);
    const compiled = literal === undefined ? undefined : compileRegex(literal);
    if (compiled && !compiled.ok) return compiled;
  }
  return null;
}

/** The library's parser reports its structural limits (depth, node count) with this code. */
function isParserLimit(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "limit_exceeded";
}

function run(source: string, program: Program, variables: ExpressionVariables): unknown {
  let value: unknown;
  try {
    value = withBudget(() =>
      program({
        event: variables.event ?? {},
        async: variables.async ?? {},
        vars: variables.vars ?? {},
      }),
    );
  } catch (error) {
    throw toExpressionError(source, error instanceof LimitExceeded ? "limit" : "evaluation", error);
  }
  return toPlainValue(value);
}
