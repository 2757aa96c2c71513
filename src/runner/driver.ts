import {
  ALARM_MAX_CALLS,
  ALARM_WORK_BUDGET_MS,
  CALL_LEASE_RENEW_MS,
  CONCURRENCY_RENEW_MS,
  HISTORY_FLUSH_INTERVAL_MS,
  MAX_CALL_DURATION_MS,
  MAX_PARALLEL_CALLS,
  RUN_FLUSH_RETRY_MS,
  SLOT_RECHECK_MS,
} from "../constants";
import type { SlotClient } from "../flow/slots";
import { buildCallRequest } from "./call-request";
import { CallLeases } from "./call-leases";
import { decide, type CallOutcome } from "../runs/decide";
import type { LeasedCall, WaitRow } from "../runs/run-rows";
import type { RunStore, ThrottleSpec } from "../runs/run-store";
import { DISCOVERY, type Memo } from "../runs/transition";
import type { Transport } from "./transport";
import { runError } from "../errors";
import { withDeadline } from "../util/deadline";
import { parseStoredJson } from "../util/stored-json";
import { storedGatewayRequestSchema } from "../runs/stored-run-json";
import { reportUnkeptMetadata } from "../runs/unkept-metadata";
import type { RunGateway } from "./gateway";

/** What the driver needs from its host besides the store. */
export interface DriverDeps {
  store: RunStore;
  transport: Transport;
  /** Carries out the outbox (pauses, events); failures are retried later. */
  effects: () => Promise<void>;
  /** Sends changed run and step history towards D1 (the history Queue); failures are retried later. */
  history: () => Promise<void>;
  /** Concurrency slots for calls that run the app's code. */
  slots: SlotClient;
  /** Reserves a start in a throttle bucket; returns when the run may start. */
  throttle: (spec: ThrottleSpec) => Promise<number>;
  /** Makes `step.fetch` and `step.ai.infer` requests (src/runner/gateway.ts, under the deployment's outbound policy). */
  gateway: RunGateway;
  /** Longest a request to the app may run before it is aborted (MAX_CALL_DURATION_MS or less). */
  maxCallMs?: number;
  now?: () => number;
  random?: () => number;
}

/** The memo a wait gets when its time comes without an event. */
function timeoutMemo(wait: WaitRow): Memo {
  if (wait.kind !== "invoke") return null;
  return { error: runError("InngestInvokeTimeoutError", "Timed out waiting for invoked function to complete") };
}

/**
 * Drives one run: fires its deadlines, resolves waits whose time has come, sends every due call
 * (parallel steps concurrently), applies each answer as one transition, and keeps the alarm
 * armed for whatever is owed next.
 *
 * Which calls are in flight is kept in memory only to tell "still running" from "lost": storage
 * leases every call it sends, so after a restart the lease runs out and the call is made again.
 * While calls are in flight a timer renews their leases and concurrency slots, however long they
 * run: the platform delivers no alarm while this one is still running, so renewal cannot wait
 * for the next wake-up.
 */
export class RunDriver {
  readonly #deps: Required<DriverDeps>;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** The leases of the calls in flight, renewed as they age (call-leases.ts). */
  readonly #leases = new CallLeases();
  /** Calls in flight that hold concurrency slots, renewed with their leases. */
  readonly #holding = new Set<string>();
  #slotsRenewedAt = 0;
  #driving: Promise<void> | null = null;
  #flushing: Promise<void> | null = null;
  #flushFailed = false;
  /** Errors thrown by calls of this drive, rethrown from it. */
  readonly #performErrors: unknown[] = [];
  /** When history was last copied: copies are spaced out while a run is busy. */
  #historyAt = 0;

  constructor(deps: DriverDeps) {
    this.#deps = { now: Date.now, random: Math.random, maxCallMs: MAX_CALL_DURATION_MS, ...deps };
  }

  /** Handles a wake-up (alarm, or new work from an RPC): drives whatever is due. */
  async wake(): Promise<void> {
    if (!this.#driving) {
      this.#driving = this.#drive().finally(() => {
        this.#driving = null;
      });
    }
    await this.#driving;
  }

  /**
   * One invocation's work, bounded by time (ALARM_WORK_BUDGET_MS) and by the calls it starts
   * (ALARM_MAX_CALLS, for the platform's subrequest limit); what is left re-arms the alarm at once.
   */
  async #drive(): Promise<void> {
    // An in-memory timer on purpose: it only keeps leases fresh while this invocation awaits its
    // calls (no alarm can fire meanwhile). If the isolate dies, the leases simply expire, which
    // is the durable outcome: the call is made again and the slots go to the next run.
    const renewal = setInterval(() => this.#renew(), CALL_LEASE_RENEW_MS);
    try {
      await this.#driveLoop();
    } finally {
      clearInterval(renewal);
    }
  }

  async #driveLoop(): Promise<void> {
    const { store, now } = this.#deps;
    const deadline = now() + ALARM_WORK_BUDGET_MS;
    let started = 0;
    for (;;) {
      this.#resolveDue();
      if (now() < deadline && started < ALARM_MAX_CALLS) {
        const room = Math.min(MAX_PARALLEL_CALLS - this.#inFlight.size, ALARM_MAX_CALLS - started);
        const due = store.dueCalls(now(), new Set(this.#inFlight.keys()), room);
        started += due.length;
        if (due.length > 0) {
          const targets = due.map((c) => c.target);
          store.calls.lease(targets, now());
          this.#leases.sent(targets, now());
        }
        for (const call of due) {
          // A call that throws (stored state it cannot read) must end the drive with its error,
          // not leave an unhandled rejection and an empty race behind.
          const performed = this.#perform(call).catch((err: unknown) => {
            this.#performErrors.push(err);
          });
          this.#inFlight.set(
            call.target,
            performed.finally(() => {
              this.#inFlight.delete(call.target);
              this.#leases.ended(call.target);
            }),
          );
        }
      }
      if (this.#inFlight.size === 0) {
        // A copy already under way may predate the last changes, and carrying out the outbox
        // can itself create work (an invoke of an unknown function resolves its step).
        await this.#flushing;
        if (store.outbox.has() || store.history.hasDue(now())) {
          this.#startFlush(true);
          await this.#flushing;
        }
        if (this.#flushFailed || now() >= deadline || started >= ALARM_MAX_CALLS || !this.#hasDueWork()) break;
        continue;
      }
      await store.alarm.rearm();
      if (this.#inFlight.size > 0) await Promise.race(this.#inFlight.values());
      if (this.#performErrors.length > 0) throw this.#performErrors.splice(0)[0];
    }
    await store.alarm.rearm(this.#flushFailed ? now() + RUN_FLUSH_RETRY_MS : undefined);
  }

  /**
   * Keeps the calls in flight leased in storage, and their concurrency slots held, for as long
   * as they run. Slots are renewed less often: each renewal is a call to a FlowObject.
   */
  #renew(): void {
    const { store, slots, now } = this.#deps;
    if (this.#inFlight.size > 0) {
      const { targets, length } = this.#leases.due(this.#inFlight.keys(), now());
      if (targets.length > 0) store.calls.lease(targets, now(), length);
    }
    if (this.#holding.size === 0 || now() - this.#slotsRenewedAt < CONCURRENCY_RENEW_MS) return;
    this.#slotsRenewedAt = now();
    slots.renew([...this.#holding]).catch((err: unknown) => console.error("stepflare: renewing concurrency slots failed", err));
  }

  /** Fires passed deadlines and resolves waits whose time has come. */
  #resolveDue(): void {
    const { store, now } = this.#deps;
    if (store.dueTimers(now()).length > 0) store.cancel(now());
    for (const wait of store.dueWaits(now())) store.resolveWait(wait.step_id, timeoutMemo(wait), now());
    this.#startFlush();
  }

  #hasDueWork(): boolean {
    const { store, now } = this.#deps;
    const next = store.alarm.nextWakeAt();
    return next !== null && next <= now() && store.isActive();
  }

  async #perform(call: LeasedCall): Promise<void> {
    const { store, now, random } = this.#deps;
    const outcome = await this.#send(call);
    if (outcome === null || !store.isActive()) return;
    this.#deps.gateway.observe(outcome);
    const transition = decide(store.facts(), call, outcome, { now: now(), random });
    store.apply(call, transition, now());
    this.#startFlush();
  }

  /**
   * Sends one call: a `step.fetch` or `step.ai.infer` from here, anything else to the app within the run's
   * concurrency limits. Null when no slot was free: the call waits for a grant (or a recheck).
   */
  async #send(call: LeasedCall): Promise<CallOutcome | null> {
    const { store, gateway, slots, now } = this.#deps;
    if (call.kind === "gateway") {
      const request = parseStoredJson(storedGatewayRequestSchema, call.detail ?? "null", { table: "calls", key: call.target });
      // A step.ai.infer whose key is no longer in memory replays the function to get it again.
      return gateway.perform(call.target, request, () => this.#callApp({ ...call, target: DISCOVERY }));
    }
    if (!(await this.#passThrottle(call))) return null;
    const limited = store.constraints().length > 0;
    if (limited && !(await slots.acquire(call.target))) {
      store.calls.park(call, now() + SLOT_RECHECK_MS);
      return null;
    }
    if (limited) this.#holding.add(call.target);
    try {
      store.markStarted(now());
      return await this.#callApp(call);
    } finally {
      this.#holding.delete(call.target);
      if (limited) await slots.release(call.target);
    }
  }

  /**
   * Makes the request to the app, aborted once it has run `maxCallMs`: every call is made from
   * the run's alarm, which the platform stops after 15 minutes, and a call cut off that way would
   * be made again silently. An aborted call is a failed attempt with a clear error instead.
   */
  async #callApp(call: LeasedCall): Promise<CallOutcome> {
    const { store, transport, maxCallMs } = this.#deps;
    const request = buildCallRequest(store, call);
    return withDeadline(maxCallMs, async (signal) => {
      const outcome = await transport(request, signal).catch((err: unknown) => {
        if (!signal.aborted) throw err;
        return null;
      });
      if (outcome !== null && !signal.aborted) {
        if (outcome.kind === "ops") reportUnkeptMetadata(request.runId, outcome.ops);
        return outcome;
      }
      const message = `the request to the app ran longer than ${maxCallMs / 1000} s, the longest one step may run on stepflare, and was stopped`;
      return { kind: "unreachable", error: runError("StepDurationExceeded", message) } satisfies CallOutcome;
    });
  }

  /**
   * A throttled run takes its start from the bucket when it is first ready to call the app, not
   * when its event arrived, so runs that became ready late do not all start at once. The start
   * is reserved once (and kept); until it comes the call waits.
   */
  async #passThrottle(call: LeasedCall): Promise<boolean> {
    const { store, throttle, now } = this.#deps;
    const gate = store.run()?.status === "queued" ? store.throttle() : null;
    if (!gate) return true;
    const startAt = gate.reservedAt ?? (await throttle(gate.spec));
    if (gate.reservedAt === null) store.reserveStart(startAt);
    if (startAt <= now()) return true;
    store.calls.park(call, startAt);
    return false;
  }

  /**
   * Starts carrying out effects (at once) and sending history (at most every
   * HISTORY_FLUSH_INTERVAL_MS, or when `final`), unless a flush is already running. Never
   * blocks a step: neither the Queue nor D1 is on the path from one step to the next.
   */
  #startFlush(final = false): void {
    const { store, effects, history, now } = this.#deps;
    if (this.#flushing) return;
    const copyHistory = final || now() - this.#historyAt >= HISTORY_FLUSH_INTERVAL_MS;
    if (!store.outbox.has() && !(copyHistory && store.history.hasDue(now()))) return;
    if (copyHistory) this.#historyAt = now();
    this.#flushing = (async () => {
      await effects();
      if (copyHistory) await history();
    })()
      .then(() => {
        this.#flushFailed = false;
      })
      .catch((err: unknown) => {
        this.#flushFailed = true;
        console.error("stepflare: carrying out run effects or copying history failed; will retry", err);
      })
      .finally(() => {
        this.#flushing = null;
      });
  }
}
