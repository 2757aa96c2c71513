/**
 * A static upper estimate of an expression's evaluation cost, so that an expression which could
 * not finish within its budget on any but tiny data (comprehensions nested over literal or assumed-large lists) is
 * refused when it is compiled, at sync or at the API, rather than failing on every event.
 * @module
 */
import { EXPRESSION_ASSUMED_LIST_SIZE } from "../constants";
import { childNodes, comprehensionParts, type ExpressionNode } from "./ast";

/** Estimated cost in the meter's units (one per node evaluated), and list size when known. */
interface Estimate {
  cost: number;
  size: number | undefined;
}

/**
 * Estimates the units one evaluation of `root` spends on node visits. A comprehension costs its
 * step once per element: the element count of a list literal (or a `+` of them), else
 * {@link EXPRESSION_ASSUMED_LIST_SIZE}. Sizes of strings and data are only known at evaluation,
 * where the meter charges them.
 */
export function estimateCost(root: ExpressionNode): number {
  return estimate(root).cost;
}

function estimate(node: ExpressionNode): Estimate {
  const comprehension = comprehensionParts(node);
  if (comprehension) {
    const iterable = estimate(comprehension.iterable);
    const count = iterable.size ?? EXPRESSION_ASSUMED_LIST_SIZE;
    const cost = 1 + iterable.cost + estimate(comprehension.init).cost + count * estimate(comprehension.step).cost;
    // map() and filter() yield at most one element per input element.
    return { cost, size: count };
  }
  const children = childNodes(node).map(estimate);
  const cost = children.reduce((sum, child) => sum + child.cost, 1);
  return { cost, size: knownSize(node, children) };
}

function knownSize(node: ExpressionNode, children: Estimate[]): number | undefined {
  if (node.op === "list" && Array.isArray(node.args)) return node.args.length;
  if (node.op === "+" && children.length === 2) {
    const [left, right] = children;
    if (left?.size !== undefined && right?.size !== undefined) return left.size + right.size;
  }
  // A macro call's own estimate is its expansion's (e.g. the list map() builds).
  if (node.meta.alternate && children.length === 1) return children[0]?.size;
  return undefined;
}
