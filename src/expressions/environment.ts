/**
 * The CEL environment every stepflare expression is compiled in, mirroring Inngest's
 * `exprenv`: variables `event`, `async` and `vars`, standard CEL, and Inngest's extras.
 * @module
 */
import { Environment } from "@marcbachmann/cel-js";
import { EXPRESSION_MAX_DEPTH } from "../constants";
import { registerInngestFunctions } from "./functions";
import { registerLenientOperators } from "./operators";

/** Top-level variables an expression may reference. */
const EXPRESSION_VARIABLES = ["event", "async", "vars"] as const;

/** Builds the environment; call once per isolate, since registration is not free. */
export function createExpressionEnvironment(): Environment {
  // Mixed-type list and map literals (`[1, "a"]`) are valid in Inngest's cel-go setup.
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: { maxDepth: EXPRESSION_MAX_DEPTH },
  });
  for (const name of EXPRESSION_VARIABLES) env.registerVariable(name, "map<string, dyn>");
  registerInngestFunctions(env);
  registerLenientOperators(env);
  return env;
}
