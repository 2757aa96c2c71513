/**
 * Inngest-compatible CEL expressions: keys, `if` conditions and priorities.
 * @module
 */
export { compileExpression, type CompiledExpression, type ExpressionVariables } from "./compile";
export { evaluateExpression, matchesExpression, validateExpression } from "./evaluate";
export { ExpressionError, type ExpressionErrorReason } from "./errors";
