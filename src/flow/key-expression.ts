import { evaluateExpression } from "../expressions/index";
import { flowKey } from "./keys";
import type { SdkEvent } from "../ingest/event";

/**
 * Evaluates a flow-control key expression on the trigger event. Strings are used as they are,
 * other values as JSON; an expression that fails to evaluate yields the empty key, so its events
 * share one bucket rather than escaping the limit.
 */
export function evaluateKey(expression: string | undefined, event: SdkEvent): string | null {
  if (!expression) return null;
  try {
    const value = evaluateExpression(expression, { event });
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  } catch {
    return "";
  }
}

/** The FlowObject name for a kind of flow control, its scope (a function id or a shared scope) and key. */
export function flowName(kind: Parameters<typeof flowKey>[0]["kind"], scope: string, keyExpression: string | undefined, event: SdkEvent): string {
  return flowKey({ kind, scope, key: evaluateKey(keyExpression, event) });
}
