import { BATCH_MAX_BYTES, IDEMPOTENCY_PERIOD } from "../constants";
import type { Env } from "../env";
import { matchesExpression } from "../expressions/index";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { admitRun, type AdmitOutcome } from "./admit";
import type { StoredFunction } from "../sync/store";
import { parseDurationMs } from "../time/duration";
import { flowName } from "../flow/key-expression";

/** What routing one event to one function did. */
export type PairOutcome = AdmitOutcome | { started: false; reason: "rate_limit" | "idempotency" } | { started: false; reason: "buffered" };

/**
 * Routes one event to one function through the flow control that acts on events: a batch
 * collects it (unless its `if` excludes it), a rate limit or idempotency key may drop it, a
 * debounce window holds it; otherwise the run is admitted now.
 */
export async function routePair(env: Env, event: StoredEvent, fn: StoredFunction, now: number): Promise<PairOutcome> {
  const cfg = fn.config;
  const sdkEvent = toSdkEvent(event);
  const batch = cfg.batchEvents;
  if (batch && (!batch.if || matchesExpression(batch.if, { event: sdkEvent }))) {
    const bytes = new TextEncoder().encode(JSON.stringify(sdkEvent)).byteLength;
    await env.FLOWS.getByName(flowName("batch", fn.id, batch.key, sdkEvent)).batch(
      { internalId: event.internalId, bytes },
      { maxSize: batch.maxSize, timeoutMs: parseDurationMs(batch.timeout), maxBytes: BATCH_MAX_BYTES },
      { functionId: fn.id },
    );
    return { started: false, reason: "buffered" };
  }

  // Inngest turns `idempotency` into a rate limit of one per 24 h on that key.
  const rate = cfg.idempotency
    ? { limit: 1, period: IDEMPOTENCY_PERIOD, key: cfg.idempotency, reason: "idempotency" as const }
    : cfg.rateLimit && { ...cfg.rateLimit, reason: "rate_limit" as const };
  if (rate) {
    const allowed = await env.FLOWS.getByName(flowName("ratelimit", fn.id, rate.key, sdkEvent)).rateLimitAllow({
      limit: rate.limit,
      periodMs: parseDurationMs(rate.period),
    });
    if (!allowed) return { started: false, reason: rate.reason };
  }

  if (cfg.debounce) {
    await env.FLOWS.getByName(flowName("debounce", fn.id, cfg.debounce.key, sdkEvent)).debounce(
      { internalId: event.internalId, ts: event.ts },
      {
        periodMs: parseDurationMs(cfg.debounce.period),
        ...(cfg.debounce.timeout ? { timeoutMs: parseDurationMs(cfg.debounce.timeout) } : {}),
      },
      { functionId: fn.id },
      (cfg.debounce as { events?: string }).events === "all",
    );
    return { started: false, reason: "buffered" };
  }
  return admitRun(env, fn, [event], now);
}
