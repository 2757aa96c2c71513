/**
 * The shape of the CEL library's parsed expressions, as far as the cost estimate and the
 * evaluation meter need it. The library exposes the tree (`program.ast`) but types only its
 * public fields, so this module names the rest in one place: a library upgrade that changes
 * them breaks here and in the limit tests, not silently.
 * @module
 */

/** How the library evaluates one node: `(evaluator, node, context) => value`. */
export type EvaluateNode = (evaluator: unknown, node: ExpressionNode, context: unknown) => unknown;

/**
 * One node of a checked expression. A macro call (`all`, `exists`, `map`, `filter`, ...) carries
 * its expansion, a `comprehension` node, in `meta.alternate`; `has()` and `cel.bind()` carry
 * their operands in `meta.macro`. A comprehension's `args` hold `iterable`, `init` and `step`.
 */
export interface ExpressionNode {
  readonly op: string;
  readonly args: unknown;
  readonly meta: {
    readonly alternate?: ExpressionNode;
    readonly macro?: { readonly evaluate: EvaluateNode } & Record<string, unknown>;
    readonly evaluate: EvaluateNode;
  };
  evaluate: EvaluateNode;
}

/** Whether `value` is a node of the library's tree. */
export function isExpressionNode(value: unknown): value is ExpressionNode {
  return typeof value === "object" && value !== null && typeof (value as { op?: unknown }).op === "string" && "meta" in value;
}

/**
 * The nodes evaluation may visit directly under `node`: a macro's expansion or operands instead
 * of the call as written (which would double count its arguments), otherwise its operands.
 */
export function childNodes(node: ExpressionNode): ExpressionNode[] {
  const found: ExpressionNode[] = [];
  const { alternate, macro } = node.meta;
  if (alternate) collect(alternate, node, found);
  else if (macro) for (const value of Object.values(macro)) collect(value, node, found);
  else collect(node.args, node, found);
  return found;
}

/** Gathers nodes from operands, which are nodes, arrays (call arguments, map entries) or records. */
function collect(value: unknown, parent: ExpressionNode, found: ExpressionNode[]): void {
  if (value === parent) return;
  if (isExpressionNode(value)) {
    found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, parent, found);
  } else if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collect(item, parent, found);
  }
}

/** The operands of a comprehension (the expansion of `all`, `exists`, `map`, ...), if `node` is one. */
export function comprehensionParts(node: ExpressionNode): { iterable: ExpressionNode; init: ExpressionNode; step: ExpressionNode } | undefined {
  if (node.op !== "comprehension") return undefined;
  const { iterable, init, step } = node.args as Record<string, unknown>;
  if (!isExpressionNode(iterable) || !isExpressionNode(init) || !isExpressionNode(step)) return undefined;
  return { iterable, init, step };
}

/** Every node evaluation may visit under `root`, each once. */
export function allNodes(root: ExpressionNode): Set<ExpressionNode> {
  const seen = new Set<ExpressionNode>();
  const pending = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (seen.has(node)) continue;
    seen.add(node);
    pending.push(...childNodes(node));
  }
  return seen;
}

/** The pattern operand of a `text.matches(pattern)` call, if `node` is one. */
export function regexPatternNode(node: ExpressionNode): ExpressionNode | undefined {
  if (node.op !== "rcall" || !Array.isArray(node.args)) return undefined;
  const [method, , operands] = node.args as [unknown, unknown, unknown];
  if (method !== "matches" || !Array.isArray(operands) || operands.length !== 1) return undefined;
  const [pattern] = operands as unknown[];
  return isExpressionNode(pattern) ? pattern : undefined;
}

/** The string a literal node holds, if it is a string literal. */
export function stringLiteral(node: ExpressionNode): string | undefined {
  return node.op === "value" && typeof node.args === "string" ? node.args : undefined;
}
