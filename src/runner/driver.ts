import { ALARM_WORK_BUDGET_MS, MAX_PARALLEL_CALLS } from "../constants";
import { buildCallRequest } from "./call-request";
import { decide } from "./decide";
import type { LeasedCall, RunStore } from "./run-store";
import type { Transport } from "./transport";

/** What the driver needs from its host besides the store. */
export interface DriverDeps {
  store: RunStore;
  transport: Transport;
  /** Copies changed history to D1; failures are retried on a later wake-up. */
  flush: () => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** How long to wait before retrying a failed history copy. */
const FLUSH_RETRY_MS = 5_000;

/**
 * Drives one run: sends every due call to the app (parallel steps concurrently), applies each
 * answer as one transition, and keeps the alarm armed for whatever is owed next.
 *
 * Which calls are in flight is kept in memory only to tell "still running" from "lost": storage
 * leases every call it sends, so after a restart the lease runs out and the call is made again.
 */
export class RunDriver {
  readonly #deps: Required<DriverDeps>;
  readonly #inFlight = new Map<string, Promise<void>>();
  #driving: Promise<void> | null = null;
  #flushing: Promise<void> | null = null;
  #flushFailed = false;

  constructor(deps: DriverDeps) {
    this.#deps = { now: Date.now, random: Math.random, ...deps };
  }

  /** Handles a wake-up (alarm): keeps live calls leased and drives whatever is due. */
  async wake(): Promise<void> {
    const { store, now } = this.#deps;
    if (this.#inFlight.size > 0) store.lease(this.#inFlight.keys(), now());
    if (!this.#driving) {
      this.#driving = this.#drive().finally(() => {
        this.#driving = null;
      });
    }
    await this.#driving;
  }

  async #drive(): Promise<void> {
    const { store, now } = this.#deps;
    const deadline = now() + ALARM_WORK_BUDGET_MS;
    for (;;) {
      if (now() < deadline) {
        const due = store.dueCalls(now(), new Set(this.#inFlight.keys()), MAX_PARALLEL_CALLS - this.#inFlight.size);
        if (due.length > 0) store.lease(due.map((c) => c.target), now());
        for (const call of due) {
          this.#inFlight.set(call.target, this.#perform(call).finally(() => this.#inFlight.delete(call.target)));
        }
      }
      if (this.#inFlight.size === 0) break;
      await store.rearm();
      await Promise.race(this.#inFlight.values());
    }
    // A copy already under way may predate the last changes, so copy once more after it.
    await this.#flushing;
    if (store.dirty().length > 0) {
      this.#startFlush();
      await this.#flushing;
    }
    await store.rearm(this.#flushFailed ? now() + FLUSH_RETRY_MS : undefined);
  }

  async #perform(call: LeasedCall): Promise<void> {
    const { store, transport, now, random } = this.#deps;
    const outcome = await transport(buildCallRequest(store, call));
    const transition = decide(store.facts(), call, outcome, { now: now(), random });
    store.apply(call, transition, now());
    this.#startFlush();
  }

  /** Starts copying history to D1 unless a copy is already running; never blocks a step. */
  #startFlush(): void {
    if (this.#flushing) return;
    this.#flushing = this.#deps
      .flush()
      .then(() => {
        this.#flushFailed = false;
      })
      .catch((err: unknown) => {
        this.#flushFailed = true;
        console.error("stepflare: copying run history to D1 failed; will retry", err);
      })
      .finally(() => {
        this.#flushing = null;
      });
  }
}
