/**
 * Compiling expressions once and evaluating them many times.
 * @module
 */
import type { Environment } from "@marcbachmann/cel-js";
import { EXPRESSION_CACHE_SIZE } from "../constants";
import { createExpressionEnvironment } from "./environment";
import { toExpressionError } from "./errors";
import { LruCache } from "./cache";
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
  /** Evaluates against the given variables; throws ExpressionError (reason "evaluation"). */
  evaluate(variables: ExpressionVariables): unknown;
}

type Program = ReturnType<Environment["parse"]>;

let environment: Environment | undefined;
const compiled = new LruCache<string, CompiledExpression>(EXPRESSION_CACHE_SIZE);

/**
 * Parses and type-checks `source`, returning the cached compilation when there is one.
 * Throws ExpressionError with reason "syntax" or "type".
 */
export function compileExpression(source: string): CompiledExpression {
  const cached = compiled.get(source);
  if (cached) return cached;
  environment ??= createExpressionEnvironment();
  let program: Program;
  try {
    program = environment.parse(source);
  } catch (error) {
    throw toExpressionError(source, "syntax", error);
  }
  // Checking up front also stores the checked types on the AST, so evaluation skips its own
  // per-call type pass.
  const check = program.check();
  if (!check.valid) throw toExpressionError(source, "type", check.error);
  const result: CompiledExpression = {
    source,
    resultType: check.type ?? "dyn",
    evaluate: (variables) => run(source, program, variables),
  };
  compiled.set(source, result);
  return result;
}

function run(source: string, program: Program, variables: ExpressionVariables): unknown {
  let value: unknown;
  try {
    value = program({
      event: variables.event ?? {},
      async: variables.async ?? {},
      vars: variables.vars ?? {},
    });
  } catch (error) {
    throw toExpressionError(source, "evaluation", error);
  }
  return toPlainValue(value);
}
