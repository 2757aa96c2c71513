import type { Env } from "../env";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { maxAttemptsFor } from "../protocol/backoff";
import { runIdFor } from "../runs/run-id";
import { retriesOf, stepUrlOf, type FunctionConfig } from "../sync/function-config";
import type { StoredFunction } from "../sync/store";
import { parseDurationMs } from "../time/duration";
import type { RunStartInput } from "./run-start";

/** A run that was started, as the `runs` history row needs it. */
export interface AdmittedRun {
  runId: string;
  functionId: string;
  appId: string;
  eventId: string;
}

/** `timeouts.start` and `timeouts.finish` in ms (validated as durations at sync). */
function timeoutsOf(cfg: FunctionConfig): { startMs?: number; finishMs?: number } {
  const { start, finish } = cfg.timeouts ?? {};
  return {
    ...(start ? { startMs: parseDurationMs(start) } : {}),
    ...(finish ? { finishMs: parseDurationMs(finish) } : {}),
  };
}

/**
 * Starts the run of `fn` for `events` (one event, or a batch whose first event is the trigger).
 * The run id derives from the first event and the function, so admitting the same pair twice
 * starts one run. Runs start no earlier than the trigger's `ts`.
 */
export async function admitRun(env: Env, fn: StoredFunction, events: StoredEvent[], now: number): Promise<AdmittedRun> {
  const trigger = events[0]!;
  const runId = await runIdFor(trigger.internalId, fn.id);
  const start: RunStartInput = {
    runId,
    functionId: fn.id,
    appId: fn.appId,
    eventId: trigger.internalId,
    stepUrl: stepUrlOf(fn.config),
    maxAttempts: maxAttemptsFor(retriesOf(fn.config)),
    events: events.map(toSdkEvent),
    queuedAt: now,
    startAt: Math.max(now, trigger.ts),
    cancel: fn.config.cancel ?? [],
    timeouts: timeoutsOf(fn.config),
  };
  await env.RUNS.getByName(runId).start(start);
  return { runId, functionId: fn.id, appId: fn.appId, eventId: trigger.internalId };
}
