import { CANCEL_LISTENER_DEFAULT_MS } from "../constants";
import { resolveWakeTime } from "../time/duration";
import type { Pause } from "../waits/pause";
import { waitExpressionRefusal } from "../waits/wait-expression";
import type { OutboxEntry } from "./run-outbox";
import type { SdkEvent } from "../ingest/event";
import type { RunStart } from "./run-start";
import type { StepWait } from "./transition";
import { invokeDepthOf } from "./invoke-depth";

/** The run facts a wait's effects need. */
export interface WaitingRun {
  id: string;
  appId: string;
  functionId: string;
  trigger: SdkEvent;
  /** The run's chain depth (`runChainDepth` of its events), carried into the invoke events it emits as `_inngest.depth`. */
  chainDepth: number;
}

/**
 * What a new wait must do outside the run: an event wait registers a pause; an invoke registers
 * a pause on the child's `inngest/function.finished` (by correlation id) and emits
 * `inngest/function.invoked` for the child; a signal wait claims its signal name. A sleep needs
 * nothing but the run's own alarm.
 */
export function waitEffects(run: WaitingRun, wait: StepWait, now: number): OutboxEntry | null {
  const { detail } = wait;
  if (detail.kind === "sleep") return null;
  if (detail.kind === "signal") {
    const hold = { signal: detail.signal, pause_id: `${run.id}:${wait.stepId}`, run_id: run.id, step_id: wait.stepId, expires_at: wait.wakeAt };
    return { kind: "signal", hold, replace: detail.conflict === "replace" };
  }
  const pause: Pause = {
    id: `${run.id}:${wait.stepId}`,
    runId: run.id,
    stepId: wait.stepId,
    kind: detail.kind === "event" ? "wait" : "invoke",
    eventName: detail.kind === "event" ? detail.eventName : "inngest/function.finished",
    expression: detail.kind === "event" ? detail.expression : null,
    triggerEvent: run.trigger,
    createdAt: now,
    expiresAt: wait.wakeAt,
  };
  if (detail.kind === "event") return { kind: "pause", pause };

  const correlationId = `${run.id}.${wait.stepId}`;
  const data = (detail.payload["data"] ?? {}) as Record<string, unknown>;
  return {
    kind: "invoke",
    stepId: wait.stepId,
    functionId: detail.functionId,
    pause: { ...pause, match: { path: "data.correlation_id", value: JSON.stringify(correlationId) } },
    invoked: {
      name: "inngest/function.invoked",
      data: {
        ...data,
        _inngest: {
          fn_id: detail.functionId,
          correlation_id: correlationId,
          source_app_id: run.appId,
          source_fn_id: run.functionId,
          source_run_id: run.id,
          expire: wait.wakeAt,
          invoke_depth: invokeDepthOf(run.trigger) + 1,
          depth: run.chainDepth,
        },
      },
      ts: now,
      key: `${correlationId}:invoke`,
      target: detail.functionId,
    },
  };
}

/**
 * The pauses that listen for the events cancelling a run (`cancelOn`), registered when it starts.
 * Sync refuses a `cancelOn.if` over the expression limits; one stored before those limits (or
 * by a version that did not check them) could never match, so its listener is not registered
 * and the refusal is logged with the run and the rule.
 */
export function cancelListeners(start: RunStart, now: number): OutboxEntry[] {
  const rules = start.cancel.flatMap((rule, i) => {
    const refused = waitExpressionRefusal(rule.if);
    if (refused === null) return [{ rule, i }];
    console.warn(`run ${start.runId}: cancelOn rule ${i} (event ${rule.event}) is not registered: its "if" is refused: ${refused}`);
    return [];
  });
  return rules.map(({ rule, i }) => ({
    kind: "pause",
    pause: {
      id: `${start.runId}:cancel:${i}`,
      runId: start.runId,
      stepId: null,
      kind: "cancel",
      eventName: rule.event,
      expression: rule.if ?? null,
      triggerEvent: start.events[0]!,
      createdAt: now,
      expiresAt: rule.timeout ? resolveWakeTime(rule.timeout, now) : now + CANCEL_LISTENER_DEFAULT_MS,
    },
  }));
}
