/**
 * The evaluation budget. Every node of a compiled expression is wrapped so that evaluating it
 * spends cost units and the values it builds are size-checked; an evaluation that runs out, or
 * builds a string or list over the limit, stops at once.
 *
 * A time budget would not work: in Workers the clock stands still while code runs. Counting
 * node visits bounds CPU instead, and charging the size of every string or list a node yields
 * bounds the work hidden inside one visit (scanning a long string, copying a long list).
 * @module
 */
import { EXPRESSION_COST_UNIT_SIZE, EXPRESSION_MAX_COST, EXPRESSION_MAX_LIST_LENGTH, EXPRESSION_MAX_STRING_LENGTH } from "../constants";
import { allNodes, comprehensionParts, regexPatternNode, type EvaluateNode, type ExpressionNode } from "./ast";
import { compileRegex, regexMatchCost, regexMatches } from "./regex";

/** Why an evaluation was stopped; rethrown by every node after the first, so it cannot be caught. */
export class LimitExceeded extends Error {
  override readonly name = "LimitExceeded";
}

/** Operators and calls that build new values; reading a field never builds anything. */
const BUILDING_OPS: ReadonlySet<string> = new Set(["+", "call", "rcall", "list", "map", "comprehension"]);

/**
 * The budget of the evaluation in progress. Evaluation is synchronous (no registered function
 * is async), so one isolate runs at most one at a time and module state is safe.
 */
let remaining = 0;
let stopped: LimitExceeded | undefined;

/**
 * Runs `evaluate` with a fresh budget. Returns its value, or throws the LimitExceeded that
 * stopped it: the library turns some errors into values (`error || true`) and some loops skip
 * failing elements, so a stop is detected here rather than trusted to propagate.
 */
export function withBudget<T>(evaluate: () => T): T {
  remaining = EXPRESSION_MAX_COST;
  stopped = undefined;
  try {
    const value = evaluate();
    if (stopped) throw stopped;
    return value;
  } catch (error) {
    throw stopped ?? error;
  } finally {
    stopped = undefined;
  }
}

/** Wraps every node under `root` so that evaluating it is metered. Call once, after checking. */
export function meterNodes(root: ExpressionNode): void {
  const nodes = allNodes(root);
  const halts = new Map<ExpressionNode, boolean>();
  for (const node of nodes) {
    const halt = quantifierHalt(node);
    if (halt) halts.set(halt.step, halt.value);
  }
  for (const node of nodes) node.evaluate = metered(node, halts.get(node));
}

/**
 * `all()` and `exists()` skip an element whose predicate fails and go on to the next, so after a
 * stop they would still walk the rest of a long list, failing once per element. Their step
 * instead yields the value that ends the loop (false for `all`, true for `exists`); withBudget
 * then throws, so that value is never seen.
 */
function quantifierHalt(node: ExpressionNode): { step: ExpressionNode; value: boolean } | undefined {
  const parts = comprehensionParts(node);
  const args = node.args as { kind?: unknown; errorsAreFatal?: unknown };
  if (!parts || args.kind !== "quantifier" || args.errorsAreFatal) return undefined;
  const initial = parts.init.op === "value" ? parts.init.args : undefined;
  if (typeof initial !== "boolean") return undefined;
  return { step: parts.step, value: !initial };
}

/** `halt`: the value a quantifier's step yields once stopped. */
function metered(node: ExpressionNode, halt: boolean | undefined): EvaluateNode {
  const builds = BUILDING_OPS.has(node.op);
  let inner: ((evaluator: unknown, context: unknown) => unknown) | undefined;
  return (evaluator, _node, context) => {
    if (stopped) {
      if (halt !== undefined) return halt;
      throw stopped;
    }
    if (--remaining < 0) stop(budgetSpent);
    inner ??= regexCall(node) ?? unmetered(node);
    const value = inner(evaluator, context);
    const size = sizeOf(value);
    if (size > 0) {
      if (builds) checkBuilt(value, size);
      remaining -= Math.floor(size / EXPRESSION_COST_UNIT_SIZE);
      if (remaining < 0) stop(budgetSpent);
    }
    return value;
  };
}

/**
 * What the library's own node dispatch does: a macro's expansion or handler, else the operator.
 * Resolved at the first evaluation, once checking has settled each node's evaluator.
 */
function unmetered(node: ExpressionNode): (evaluator: unknown, context: unknown) => unknown {
  const { alternate, macro, evaluate } = node.meta;
  if (alternate) return (evaluator, context) => alternate.evaluate(evaluator, alternate, context);
  if (macro) {
    const asNode = macro as unknown as ExpressionNode;
    return (evaluator, context) => macro.evaluate.call(macro, evaluator, asNode, context);
  }
  return (evaluator, context) => evaluate.call(node, evaluator, node, context);
}

/**
 * `text.matches(pattern)` on RE2 instead of the library's JavaScript RegExp, charged for the work
 * matching does (program size × text length) before it runs; undefined for any other node.
 */
function regexCall(node: ExpressionNode): ((evaluator: unknown, context: unknown) => unknown) | undefined {
  const pattern = regexPatternNode(node);
  if (!pattern) return undefined;
  const receiver = (node.args as [unknown, ExpressionNode])[1];
  return (evaluator, context) => {
    const text = receiver.evaluate(evaluator, receiver, context);
    const source = pattern.evaluate(evaluator, pattern, context);
    if (typeof text !== "string" || typeof source !== "string") {
      throw new TypeError(`found no matching overload for '${typeName(text)}.matches(${typeName(source)})'`);
    }
    const compiled = compileRegex(source);
    if (!compiled.ok) {
      if (compiled.reason === "limit") stop(compiled.error);
      throw new RangeError(compiled.error);
    }
    remaining -= regexMatchCost(compiled.regex, text);
    if (remaining < 0) stop(budgetSpent);
    return regexMatches(compiled.regex, text);
  };
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "list" : typeof value;
}

const budgetSpent = `it exceeded the evaluation budget of ${EXPRESSION_MAX_COST} cost units`;

function checkBuilt(value: unknown, size: number): void {
  if (typeof value === "string" || value instanceof Uint8Array) {
    if (size > EXPRESSION_MAX_STRING_LENGTH) {
      stop(`it built a value of ${size} characters or bytes; the most allowed is ${EXPRESSION_MAX_STRING_LENGTH}`);
    }
  } else if (size > EXPRESSION_MAX_LIST_LENGTH) {
    stop(`it built a list of ${size} elements; the most allowed is ${EXPRESSION_MAX_LIST_LENGTH}`);
  }
}

function stop(why: string): never {
  stopped = new LimitExceeded(`expression stopped: ${why}`);
  throw stopped;
}

/** Characters, bytes or elements of a value, for charging and capping; 0 for scalars and records. */
function sizeOf(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (typeof value !== "object" || value === null) return 0;
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  return 0;
}
