import type { Env } from "../env";
import { evaluateExpression } from "../expressions/index";
import { clampPriority } from "../flow/priority";
import { concurrencyConstraints } from "../flow/concurrency";
import { flowName } from "../flow/key-expression";
import { toSdkEvent, type SdkEvent, type StoredEvent } from "../ingest/event";
import { maxAttemptsFor } from "../protocol/backoff";
import { runIdFor } from "../runs/run-id";
import { retriesOf, stepUrlOf, type FunctionConfig } from "../sync/function-config";
import type { StoredFunction } from "../sync/store";
import { parseDurationMs } from "../time/duration";
import type { RunStartInput } from "../runs/run-start";

/** A run that was started, as the `runs` history row needs it. */
export interface AdmittedRun {
  runId: string;
  functionId: string;
  appId: string;
  eventId: string;
}

/** What admission decided: the run started, or flow control skipped it. */
export type AdmitOutcome = { started: true; run: AdmittedRun } | { started: false; reason: "singleton" };

/** `timeouts.start` and `timeouts.finish` in ms (validated as durations at sync). */
function timeoutsOf(cfg: FunctionConfig): { startMs?: number; finishMs?: number } {
  const { start, finish } = cfg.timeouts ?? {};
  return {
    ...(start ? { startMs: parseDurationMs(start) } : {}),
    ...(finish ? { finishMs: parseDurationMs(finish) } : {}),
  };
}

/** The throttle bucket a run must take its start from; `scope: "env"` shares it across functions (beyond Inngest, inngest/inngest#3701). */
function throttleOf(fn: StoredFunction, event: SdkEvent): RunStartInput["throttle"] {
  const t = fn.config.throttle;
  if (!t) return undefined;
  const scope = (t as { scope?: string }).scope === "env" ? "env" : fn.id;
  return { flow: flowName("throttle", scope, t.key, event), limit: t.limit, periodMs: parseDurationMs(t.period), burst: t.burst ?? 0 };
}

/** The run's priority factor in seconds (`priority.run`), clamped; 0 when unset or erroring. */
function priorityOf(cfg: FunctionConfig, event: SdkEvent): number {
  if (!cfg.priority?.run) return 0;
  try {
    return clampPriority(evaluateExpression(cfg.priority.run, { event }));
  } catch {
    return 0;
  }
}

/**
 * Starts the run of `fn` for `events` (one event, or a batch whose first event is the trigger),
 * under the function's singleton rule (skip, or cancel the active run). Throttle and concurrency
 * are enforced by the run itself when it is ready to call the app, with the keys evaluated here. The run id derives from the first event and the function, so
 * admitting the same pair twice starts one run.
 */
export async function admitRun(env: Env, fn: StoredFunction, events: StoredEvent[], now: number): Promise<AdmitOutcome> {
  const trigger = events[0]!;
  const event = toSdkEvent(trigger);
  const cfg = fn.config;
  const runId = await runIdFor(trigger.internalId, fn.id);

  let singleton: string | undefined;
  if (cfg.singleton) {
    singleton = flowName("singleton", fn.id, cfg.singleton.key, event);
    const claim = await env.FLOWS.getByName(singleton).singletonClaim(runId, cfg.singleton.mode);
    if (claim.outcome === "skip") return { started: false, reason: "singleton" };
    if (claim.cancel) await env.RUNS.getByName(claim.cancel).cancel();
  }

  const startAt = Math.max(now, trigger.ts);
  await env.RUNS.getByName(runId).start(buildRunStart(fn, events, now, { runId, startAt, singleton }));
  return { started: true, run: { runId, functionId: fn.id, appId: fn.appId, eventId: trigger.internalId } };
}

/**
 * What a RunObject needs to start a run of `fn` for `events` with the function's configuration
 * as synced now: its URL, retries, cancellation rules, timeouts, concurrency keys and priority.
 */
export function buildRunStart(
  fn: StoredFunction,
  events: StoredEvent[],
  now: number,
  run: Pick<RunStartInput, "runId" | "startAt"> & Partial<Pick<RunStartInput, "singleton" | "seed">>,
): RunStartInput {
  const trigger = events[0]!;
  const event = toSdkEvent(trigger);
  const cfg = fn.config;
  return {
    functionId: fn.id,
    appId: fn.appId,
    eventId: trigger.internalId,
    stepUrl: stepUrlOf(cfg),
    maxAttempts: maxAttemptsFor(retriesOf(cfg)),
    events: events.map(toSdkEvent),
    queuedAt: now,
    cancel: cfg.cancel ?? [],
    timeouts: timeoutsOf(cfg),
    concurrency: concurrencyConstraints(fn.id, cfg, event),
    throttle: throttleOf(fn, event),
    priority: priorityOf(cfg, event),
    ...run,
  };
}
