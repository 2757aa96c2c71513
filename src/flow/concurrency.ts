import type { FunctionConfig } from "../sync/function-config";
import type { SdkEvent } from "../ingest/event";
import { flowName } from "./key-expression";

/** A concurrency limit a run's steps must fit under: a FlowObject and this function's limit. */
export interface ConcurrencyConstraint {
  flow: string;
  limit: number;
}

/**
 * The concurrency constraints of a function for one trigger event. `concurrency: N` is
 * `{limit: N}`; `fn` scope counts this function's steps per key, `env` and `account` share the
 * count across functions by key. A limit of 0 means none. Keys are evaluated once, when the run
 * is queued, as Inngest does.
 */
export function concurrencyConstraints(fnId: string, cfg: FunctionConfig, event: SdkEvent): ConcurrencyConstraint[] {
  const raw = cfg.concurrency;
  if (raw === undefined) return [];
  const list = typeof raw === "number" ? [{ limit: raw }] : Array.isArray(raw) ? raw : [raw];
  return list
    .filter((c) => c.limit > 0)
    .map((c) => {
      const scope = "scope" in c && c.scope && c.scope !== "fn" ? c.scope : fnId;
      return { flow: flowName("concurrency", scope, "key" in c ? c.key : undefined, event), limit: c.limit };
    });
}
