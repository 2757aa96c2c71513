import { DurableObject } from "cloudflare:workers";
import { ALARM_ERROR_RETRY_MS } from "../src/constants";
import type { Env } from "../src/env";
import type { Op } from "../src/protocol/ops";
import { storedStepFromOp } from "../src/runs/decide";
import { RunDriver } from "../src/runner/driver";
import { sendHistory } from "../src/runner/history-flush";
import { buildHistoryRows } from "../src/runner/history-rows";
import { retentionMs } from "../src/history/retention-setting";
import { processOutbox } from "../src/runner/outbox";
import { runStartSchema, type RunStartInput } from "../src/runs/run-start";
import type { RunRow } from "../src/runs/run-rows";
import { RunStore } from "../src/runs/run-store";
import type { Memo } from "../src/runs/transition";
import { appTransport, type Transport } from "../src/runner/transport";
import { gatewayFor } from "../src/runner/gateway";
import { flowSlots } from "../src/flow/slots";
import { maxCallDurationMs } from "../src/runner/max-call-duration";
import {
  checkpointArgsSchema,
  historyValuesArgsSchema,
  historyWrittenArgsSchema,
  rerunSeedArgsSchema,
  resumeArgsSchema,
  stepIdSchema,
} from "../src/runs/run-rpc";
import { failOnUnreadable } from "../src/runs/unreadable-run";
import { applyEndpointSteps, type EndpointStepsResult } from "../src/runs/endpoint-steps";
import { firstUnsupported, unsupportedFeatureError } from "../src/runs/unsupported-ops";
import { reportUnkeptMetadata } from "../src/runs/unkept-metadata";
import { isPermanentStorageError } from "../src/util/storage-refusal";
import { runError } from "../src/errors";
import { parseRpcArgs } from "../src/util/rpc-args";
import { phaseClock, recordPhase, timingEnabled, type PhaseClock } from "../src/metering/phase-timing";
import { withLocalCheckpoint } from "../src/sync/local-checkpoint";

/**
 * One run: its state in SQLite and its timers on the alarm. A thin shell over `RunStore`
 * (state and transitions) and `RunDriver` (calls to the app and effects).
 */
export class RunObject extends DurableObject<Env> {
  readonly #store: RunStore;
  readonly #driver: RunDriver;
  /** With phase timing on: when `start` stored the run, until its first call goes out. */
  #startedAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new RunStore(ctx.storage, { retentionMs: retentionOrForever(env) });
    this.#driver = new RunDriver({
      store: this.#store,
      transport: this.#withLocalCheckpoints(this.#timedTransport(appTransport(env))),
      gateway: gatewayFor(env),
      slots: flowSlots(env, () => ({
        id: this.#store.run()?.id ?? "",
        constraints: this.#store.constraints(),
        priority: this.#store.run()?.priority ?? 0,
      })),
      throttle: (spec) => env.FLOWS.getByName(spec.flow).throttleReserve(spec),
      effects: () => processOutbox(env, this.#store, Date.now()),
      history: () => sendHistory(env.HISTORY, this.#store, Date.now()),
      maxCallMs: maxCallDurationMs(env),
    });
  }

  /**
   * Starts the run; calling it again for the same run changes nothing. A first call due now goes
   * out at once instead of when the alarm rings (see #driveNow); the alarm is armed all the same.
   */
  async start(input: RunStartInput): Promise<{ created: boolean }> {
    const clock = phaseClock(this.env, "run.start");
    const start = parseRpcArgs(runStartSchema, input, "RunObject.start");
    const now = Date.now();
    const created = this.#store.init(start, now);
    clock?.lap("init");
    if (clock && created) this.#startedAt = performance.now();
    if (created) {
      const armed = this.#store.alarm.rearm(now);
      // A run whose first call is due later (an event dated in the future) waits for its alarm.
      if (start.startAt <= now) this.#driveNow();
      await armed;
    }
    clock?.lap("rearm");
    return { created };
  }

  /**
   * Drives the run now, without waiting for the alarm armed for it to ring: that ring (a storage
   * round trip and a wake-up) is time on the path from an event to its first step. The alarm stays
   * the durable part: when it rings it joins this drive, and if the object dies first it makes the
   * call again (the call's lease runs out). Nothing leaves the object before the writes that owe
   * it are durable (the platform's output gate holds outgoing requests until then). A failure is
   * the alarm's to handle, as for any drive; it is only logged here.
   */
  #driveNow(): void {
    this.#driver.wake().catch((err: unknown) => {
      console.warn(`stepflare: run ${this.#store.run()?.id ?? "?"}: driving at once failed; its alarm takes over`, err);
    });
  }

  /** The run row, for tests and diagnostics. */
  async status(): Promise<RunRow | null> {
    return this.#store.run();
  }

  /**
   * The run's stored outcome as JSON (`{"output":...}` or `{"error":...}`), null while it runs:
   * how a parent's `step.invoke` reads an output too large for the finished event.
   */
  async result(): Promise<string | null> {
    return this.#store.run() ? this.#store.result() : null;
  }

  /** Cancels the run unless it already ended. */
  async cancel(): Promise<{ cancelled: boolean }> {
    const cancelled = this.#store.cancel(Date.now());
    if (cancelled) await this.#store.alarm.rearm(Date.now());
    return { cancelled };
  }

  /** Steps the SDK checkpointed mid-request; false (stale) once the run has ended. */
  async checkpoint(ops: Op[]): Promise<{ accepted: boolean }> {
    const clock = phaseClock(this.env, "checkpoint.do");
    ops = parseRpcArgs(checkpointArgsSchema, ops, "RunObject.checkpoint");
    clock?.lap("args");
    return this.#checkpoint(ops, clock);
  }

  /** `checkpoint` with its ops already validated (by the RPC, or by the route for an in-process app). */
  async #checkpoint(ops: Op[], clock: PhaseClock | null): Promise<{ accepted: boolean }> {
    this.#reportUnkeptMetadata(ops);
    const steps = ops.filter((op) => op.op === "StepRun").map((op) => storedStepFromOp(op, 1));
    // An op the server cannot carry out (`defer()` rides along with checkpoints) ends the run.
    const refused = firstUnsupported(ops);
    if (refused) this.#store.failForGood(unsupportedFeatureError(refused), Date.now());
    const accepted = !refused && this.#store.checkpoint(steps, Date.now());
    clock?.lap("store");
    if (!this.#store.run()) return { accepted };
    // Refused because the steps ended the run (its state cap, an unsupported op): its end effects are now due.
    if (!accepted && this.#store.outbox.has()) await this.#store.alarm.rearm(Date.now());
    return { accepted };
  }

  /**
   * Steps a durable endpoint's own request reports (src/runner/endpoint-steps.ts): `stale` once
   * the run has ended or the server drives it, `missing` when there is no such run.
   */
  async endpointSteps(ops: Op[]): Promise<{ result: EndpointStepsResult }> {
    ops = parseRpcArgs(checkpointArgsSchema, ops, "RunObject.endpointSteps");
    this.#reportUnkeptMetadata(ops);
    const result = applyEndpointSteps(this.#store, ops, Date.now(), Math.random);
    // The change may be due at once (a discovery after a step error, effects, history).
    if (result !== "missing") await this.#store.alarm.rearm(Date.now());
    return { result };
  }

  /** Says in the log which of `ops`, from the SDK, carry metadata that is not stored (nothing to say for no run). */
  #reportUnkeptMetadata(ops: Op[]): void {
    const run = this.#store.run();
    if (run) reportUnkeptMetadata(run.id, ops);
  }

  /**
   * What the SDK replays the run from when it fetches its state itself (`ctx.use_api`, as a
   * resumed durable endpoint does): the trigger events and the memos in stack order, as JSON; null when
   * there is no such run.
   */
  async replayState(): Promise<{ events: string; steps: string } | null> {
    if (!this.#store.run()) return null;
    const memos = this.#store.memos();
    const steps = Object.fromEntries(this.#store.stack().map((id) => [id, memos.get(id) ?? null]));
    return { events: JSON.stringify(this.#store.events()), steps: JSON.stringify(steps) };
  }

  /** A concurrency slot was granted to a call that was waiting for one. */
  async slotGranted(target: string): Promise<void> {
    target = parseRpcArgs(stepIdSchema, target, "RunObject.slotGranted");
    if (this.#store.unpark(target, Date.now())) await this.#store.alarm.rearm(Date.now());
  }

  /**
   * Re-arms the alarm if it was lost (the heartbeat calls this for runs whose wake-up is long
   * overdue). Returns when the run next needs to wake, or null once nothing is owed.
   */
  async poke(): Promise<{ wakeAt: number | null }> {
    if (!this.#store.isActive()) return { wakeAt: null };
    if ((await this.ctx.storage.getAlarm()) === null) {
      this.#store.alarm.fired();
      await this.#store.alarm.rearm();
    }
    return { wakeAt: this.#store.alarm.nextWakeAt() };
  }

  /** Resumes a waiting step with its memo (a matched event, a child's result). */
  async resume(stepId: string, memo: Memo): Promise<{ resumed: boolean }> {
    [stepId, memo] = parseRpcArgs(resumeArgsSchema, [stepId, memo], "RunObject.resume");
    if (!this.#store.run()) return { resumed: false };
    const resumed = this.#store.resolveWait(stepId, memo, Date.now());
    if (resumed) await this.#store.alarm.rearm(Date.now());
    return { resumed };
  }

  /**
   * The steps a rerun keeps: every memo stored before `stepId` (all of them without one), in
   * stack order, so the new run replays them and runs `stepId` onwards again.
   */
  async rerunSeed(stepId?: string): Promise<{ stack: string[]; memos: Record<string, unknown> }> {
    stepId = parseRpcArgs(rerunSeedArgsSchema, stepId, "RunObject.rerunSeed");
    if (!this.#store.run()) return { stack: [], memos: {} };
    const stack = this.#store.stack();
    const cut = stepId === undefined ? 0 : stack.indexOf(stepId);
    const kept = cut < 0 ? stack : stack.slice(0, cut);
    const memos = this.#store.memos();
    return { stack: kept, memos: Object.fromEntries(kept.map((id) => [id, memos.get(id) ?? null])) };
  }

  /**
   * The history consumer confirms that D1 has these versions of the run's rows: they are no
   * longer sent again (a row changed since stays due).
   */
  async historyWritten(rows: { kind: "run" | "step"; key: string; rev: number }[]): Promise<void> {
    rows = parseRpcArgs(historyWrittenArgsSchema, rows, "RunObject.historyWritten");
    if (!this.#store.run()) return;
    this.#store.history.clearDirty(rows);
    await this.#store.alarm.rearm();
  }

  /**
   * The full values (output and error JSON) of history rows a message carried by reference,
   * read now; rows the object no longer has are left out.
   */
  async historyValues(
    refs: { kind: "run" | "step"; key: string }[],
  ): Promise<{ kind: "run" | "step"; key: string; output: string | null; error: string | null }[]> {
    refs = parseRpcArgs(historyValuesArgsSchema, refs, "RunObject.historyValues");
    const run = this.#store.run();
    if (!run) return [];
    const built = buildHistoryRows(
      this.#store,
      run,
      refs.map((r) => ({ ...r, rev: 0 })),
      Date.now(),
    );
    return [
      ...(built.run ? [{ kind: "run" as const, key: run.id, output: built.run.output, error: built.run.error }] : []),
      ...built.steps.map((step) => ({ kind: "step" as const, key: step.stepId, output: step.output, error: step.error })),
    ];
  }

  override async alarm(): Promise<void> {
    this.#store.alarm.fired();
    if (!this.#store.run()) {
      // Nothing is stored (retention deleted the run): nothing is owed.
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const expiresAt = this.#store.expiresAt();
    if (expiresAt !== null && expiresAt <= Date.now()) {
      await this.#expire();
      return;
    }
    try {
      await failOnUnreadable(this.#store, () => this.#driver.wake(), Date.now);
    } catch (err) {
      // Storage refusing one of the run's values for good fails the same way on every retry:
      // the run ends as failed with a recorded error, and its end effects are carried out.
      if (isPermanentStorageError(err)) {
        console.error(`stepflare: run ${this.#store.run()?.id ?? "?"}: storage refused a value for good; the run fails`, err);
        const ended = this.#store.failForGood(runError("StorageRefused", STORAGE_REFUSED), Date.now());
        if (ended) {
          await this.#store.alarm.rearm(Date.now());
          return;
        }
      }
      // The platform retries a throwing alarm only a few times; keep the run alive ourselves.
      console.error(`stepflare: run ${this.#store.run()?.id ?? "?"} failed to make progress; retrying`, err);
      await this.ctx.storage.setAlarm(Date.now() + ALARM_ERROR_RETRY_MS);
    }
  }

  /**
   * `transport` with this object's checkpoint code as the shortcut for the calls' own checkpoints
   * (src/sync/local-checkpoint.ts): only an in-process app's SDK runs inside the call to use it.
   */
  #withLocalCheckpoints(transport: Transport): Transport {
    const checkpoint = (ops: Op[]) => this.#checkpoint(ops, phaseClock(this.env, "checkpoint.local"));
    return (request, signal) => withLocalCheckpoint(request.runId, checkpoint, () => transport(request, signal));
  }

  /**
   * `transport`, timed when phase timing is on: from `start` storing the run to its first call
   * going out (`run.start_to_call`, which holds the commit of the start), and each call (`run.call`).
   */
  #timedTransport(transport: Transport): Transport {
    return async (request, signal) => {
      if (!timingEnabled(this.env)) return transport(request, signal);
      const start = performance.now();
      if (this.#startedAt !== null) recordPhase("run.start_to_call", start - this.#startedAt);
      this.#startedAt = null;
      try {
        return await transport(request, signal);
      } finally {
        recordPhase("run.call", performance.now() - start);
      }
    };
  }

  /**
   * Deletes the ended run's whole storage once it is older than the retention: the object is then
   * empty, and any later request answers as for a run that does not exist.
   */
  async #expire(): Promise<void> {
    console.info(`stepflare: run ${this.#store.run()?.id ?? "?"} ended longer ago than the retention; deleting its storage`);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#store.forget();
  }
}

/**
 * The configured retention, or null (keep forever) when STEPFLARE_RETENTION cannot be read: an
 * object never deletes a run on a setting it cannot read. The heartbeat reports the same error.
 */
function retentionOrForever(env: Env): number | null {
  try {
    return retentionMs(env);
  } catch (err) {
    console.error(`stepflare: run objects keep ended runs until this is fixed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** The recorded error of a run whose state storage refused for good. */
const STORAGE_REFUSED = "storage refused a value of this run: it is too large or nested too deeply to store";
