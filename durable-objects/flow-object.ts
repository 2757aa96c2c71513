import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { batchDeadline, batchDue, batchPush, type BatchState } from "../src/flow/batch";
import { debounceDue, debouncePush, type DebounceState } from "../src/flow/debounce";
import { rateLimitAllow, throttleReserve, type GcraState } from "../src/flow/gcra";
import { acquire, expire, nextExpiry, release, renew, type LeaseState } from "../src/flow/leases";
import { singletonClaim, singletonRelease, type SingletonState } from "../src/flow/singleton";
import { flowStateDefaults, type FlowStates } from "../src/flow-control/flow-state";
import { flushBuffered, type BufferedStart } from "../src/flow-control/buffered-start";
import { migrate } from "../src/runner/run-schema";

const FLOW_MIGRATIONS = [
  `CREATE TABLE state (kind TEXT PRIMARY KEY, json TEXT NOT NULL);`,
];

/**
 * Flow control for one function (or shared scope) and one evaluated key: concurrency slots,
 * throttle and rate-limit buckets, a debounce window, an event batch, a singleton holder. A thin
 * shell: each method loads the state, applies a pure algorithm from `src/flow`, and stores the
 * result in one synchronous step, so calls never interleave half-way.
 */
export class FlowObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    migrate(this.#sql, FLOW_MIGRATIONS);
  }

  /** Reserves a throttled start; returns when the run may start. */
  async throttleReserve(cfg: { limit: number; periodMs: number; burst: number }): Promise<number> {
    return this.#update("throttle", (s: GcraState) => {
      const r = throttleReserve(s, Date.now(), cfg);
      return [r.state, r.startAt];
    });
  }

  /** Whether a rate-limited run may start now; denied runs are skipped, not delayed. */
  async rateLimitAllow(cfg: { limit: number; periodMs: number }): Promise<boolean> {
    return this.#update("ratelimit", (s: GcraState) => {
      const r = rateLimitAllow(s, Date.now(), cfg);
      return [r.state, r.allowed];
    });
  }

  /** Asks for a concurrency slot for `holder` (`<runId>/<call>`); granted now or notified later. */
  async acquire(args: { holder: string; limit: number; leaseMs: number; priority: number }): Promise<boolean> {
    // Expiry grants waiters on the alarm, where no caller states the limit: remember it.
    this.#put("limit", args.limit);
    const granted = this.#update("leases", (s: LeaseState) => {
      const r = acquire(s, Date.now(), args);
      return [r.state, r.granted];
    });
    await this.#rearm();
    return granted;
  }

  /** Keeps the slots held by calls that are still running (one call for all of a run's holders). */
  async renew(holders: string[], leaseMs: number): Promise<void> {
    const now = Date.now();
    this.#update("leases", (s: LeaseState) => [holders.reduce((state, h) => renew(state, now, h, leaseMs), s), undefined]);
    await this.#rearm();
  }

  /** Frees a slot (or a place in the queue) and wakes the runs that now fit. */
  async release(holder: string, limit: number): Promise<void> {
    const granted = this.#update("leases", (s: LeaseState) => {
      const r = release(s, Date.now(), holder, limit);
      return [r.state, r.granted];
    });
    await this.#rearm();
    await this.#notifyGranted(granted);
  }

  /**
   * Adds an event to the debounce window; the run starts when the window closes, with the last
   * event, or with every event of the window when `collectAll` (beyond Inngest).
   */
  async debounce(
    event: { internalId: string; ts: number },
    cfg: { periodMs: number; timeoutMs?: number },
    start: BufferedStart,
    collectAll = false,
  ): Promise<void> {
    // A push into a window that is due but not yet fired closes it: its run starts now.
    const { fire, accepted } = this.#update("debounce", (s: DebounceState) => {
      const r = debouncePush(s, Date.now(), event, cfg);
      return [r.state, { fire: r.fire, accepted: r.state.event?.internalId === event.internalId }];
    });
    const closed = fire ? this.#takeWindow(fire) : null;
    if (collectAll && accepted) this.#put("window", [...(this.#get<string[]>("window") ?? []), event.internalId]);
    this.#put("start", start);
    this.#put("collectAll", collectAll);
    await this.#rearm();
    if (closed) await flushBuffered(this.env, start, closed);
  }

  /** Adds an event to the batch; a full batch starts its run at once. */
  async batch(event: { internalId: string; bytes: number }, cfg: { maxSize: number; timeoutMs: number; maxBytes: number }, start: BufferedStart): Promise<void> {
    this.#put("start", start);
    this.#put("batchTimeout", cfg.timeoutMs);
    const flush = this.#update("batch", (s: BatchState) => {
      const r = batchPush(s, Date.now(), event, cfg);
      return [r.state, r.flush];
    });
    await this.#rearm();
    if (flush) await flushBuffered(this.env, start, flush);
  }

  /** Claims the singleton slot for a run; says whether it starts and which run to cancel. */
  async singletonClaim(runId: string, mode: "skip" | "cancel"): Promise<{ outcome: "start" | "skip"; cancel: string | null }> {
    return this.#update("singleton", (s: SingletonState) => {
      const r = singletonClaim(s, runId, mode);
      return [r.state, { outcome: r.outcome, cancel: r.cancel }];
    });
  }

  /** Frees the singleton slot when its run ends. */
  async singletonRelease(runId: string): Promise<void> {
    this.#update("singleton", (s: SingletonState) => [singletonRelease(s, runId), undefined]);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const granted = this.#update("leases", (s: LeaseState) => {
      const limit = this.#get<number>("limit") ?? 0;
      const r = expire(s, now, limit);
      return [r.state, r.granted];
    });
    const start = this.#get<BufferedStart>("start");
    const debounced = this.#update("debounce", (s: DebounceState) => {
      const r = debounceDue(s, now);
      return [r.state, r.fire];
    });
    const batched = this.#update("batch", (s: BatchState) => {
      const r = batchDue(s, now, this.#get<number>("batchTimeout") ?? 0);
      return [r.state, r.flush];
    });
    await this.#rearm();
    await this.#notifyGranted(granted);
    if (start && debounced) await flushBuffered(this.env, start, this.#takeWindow(debounced));
    if (start && batched) await flushBuffered(this.env, start, batched);
  }

  /** The events a closed debounce window starts its run with, emptying the collected window. */
  #takeWindow(last: string): string[] {
    if (!this.#get<boolean>("collectAll")) return [last];
    const window = this.#get<string[]>("window") ?? [];
    this.#put("window", []);
    return window.length > 0 ? window : [last];
  }

  async #notifyGranted(holders: string[]): Promise<void> {
    await Promise.all(
      holders.map(async (holder) => {
        const [runId, target] = holder.split("/") as [string, string];
        // A lost notice is repaired by the run re-asking for its slot on its own timer.
        await this.env.RUNS.getByName(runId).slotGranted(target).catch((err: unknown) => {
          console.error(`stepflare: could not tell run ${runId} it has a slot`, err);
        });
      }),
    );
  }

  async #rearm(): Promise<void> {
    const candidates = [
      nextExpiry(this.#state("leases")),
      this.#state("debounce").fireAt,
      batchDeadline(this.#state("batch"), this.#get<number>("batchTimeout") ?? 0),
    ].filter((t): t is number => t !== null);
    if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...candidates));
  }

  #update<K extends keyof FlowStates, R>(kind: K, fn: (state: FlowStates[K]) => [FlowStates[K], R]): R {
    const [next, result] = fn(this.#state(kind));
    this.#put(kind, next);
    return result;
  }

  #state<K extends keyof FlowStates>(kind: K): FlowStates[K] {
    return this.#get<FlowStates[K]>(kind) ?? flowStateDefaults[kind]();
  }

  #get<T>(kind: string): T | null {
    const row = this.#sql.exec<{ json: string }>("SELECT json FROM state WHERE kind = ?", kind).toArray()[0];
    return row ? (JSON.parse(row.json) as T) : null;
  }

  #put(kind: string, value: unknown): void {
    this.#sql.exec("INSERT OR REPLACE INTO state (kind, json) VALUES (?, ?)", kind, JSON.stringify(value));
  }
}
