import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { batchDeadline, batchDue, batchPush, type BatchState } from "../src/flow/batch";
import { debounceDue, debouncePush, type DebounceState } from "../src/flow/debounce";
import { rateLimitAllow, throttleReserve, type GcraState } from "../src/flow/gcra";
import { acquire, expire, nextExpiry, release, renew, type LeaseState } from "../src/flow/leases";
import { singletonClaim, singletonRelease, type SingletonState } from "../src/flow/singleton";
import { flowStateDefaults, type BufferedStart, type FlowKind, type FlowStates, type FlowValues } from "../src/flow/flow-state";
import { flushBuffered } from "../src/routing/buffered-start";
import { releaseDue, type PendingRelease } from "../src/flow/buffer-release";
import {
  acquireArgsSchema,
  batchArgsSchema,
  debounceArgsSchema,
  rateLimitArgsSchema,
  releaseArgsSchema,
  renewArgsSchema,
  runIdArgSchema,
  singletonClaimArgsSchema,
  throttleArgsSchema,
} from "../src/flow/flow-rpc";
import { FlowStore } from "../src/flow/flow-store";
import { parseRpcArgs } from "../src/util/rpc-args";

/**
 * Flow control for one function (or shared scope) and one evaluated key: concurrency slots,
 * throttle and rate-limit buckets, a debounce window, an event batch, a singleton holder. A thin
 * shell: each method checks its arguments, loads the state, applies a pure algorithm from
 * `src/flow`, and stores the result in one synchronous step, so calls never interleave half-way.
 * Buffered events leave a debounce window or batch in two phases (see buffer-release.ts).
 */
export class FlowObject extends DurableObject<Env> {
  readonly #store: FlowStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new FlowStore(ctx.storage);
  }

  /** Reserves a throttled start; returns when the run may start. */
  async throttleReserve(cfg: { limit: number; periodMs: number; burst: number }): Promise<number> {
    cfg = parseRpcArgs(throttleArgsSchema, cfg, "FlowObject.throttleReserve");
    return this.#update("throttle", (s: GcraState) => {
      const r = throttleReserve(s, Date.now(), cfg);
      return [r.state, r.startAt];
    });
  }

  /** Whether a rate-limited run may start now; denied runs are skipped, not delayed. */
  async rateLimitAllow(cfg: { limit: number; periodMs: number }): Promise<boolean> {
    cfg = parseRpcArgs(rateLimitArgsSchema, cfg, "FlowObject.rateLimitAllow");
    return this.#update("ratelimit", (s: GcraState) => {
      const r = rateLimitAllow(s, Date.now(), cfg);
      return [r.state, r.allowed];
    });
  }

  /** Asks for a concurrency slot for `holder` (`<runId>/<call>`); granted now or notified later. */
  async acquire(args: { holder: string; limit: number; leaseMs: number; priority: number }): Promise<boolean> {
    args = parseRpcArgs(acquireArgsSchema, args, "FlowObject.acquire");
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
    [holders, leaseMs] = parseRpcArgs(renewArgsSchema, [holders, leaseMs], "FlowObject.renew");
    const now = Date.now();
    this.#update("leases", (s: LeaseState) => [holders.reduce((state, h) => renew(state, now, h, leaseMs), s), undefined]);
    await this.#rearm();
  }

  /** Frees a slot (or a place in the queue) and wakes the runs that now fit. */
  async release(holder: string, limit: number): Promise<void> {
    [holder, limit] = parseRpcArgs(releaseArgsSchema, [holder, limit], "FlowObject.release");
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
    [event, cfg, start, collectAll] = parseRpcArgs(debounceArgsSchema, [event, cfg, start, collectAll], "FlowObject.debounce");
    // A push into a window that is due but not yet fired closes it: its run starts now.
    this.#store.transaction(() => {
      const { fire, accepted } = this.#update("debounce", (s: DebounceState) => {
        const r = debouncePush(s, Date.now(), event, cfg);
        return [r.state, { fire: r.fire, accepted: r.state.event?.internalId === event.internalId }];
      });
      if (fire) this.#store.addRelease(start.functionId, this.#takeWindow(fire), Date.now());
      if (collectAll && accepted) this.#put("window", [...(this.#get("window") ?? []), event.internalId]);
      this.#put("start", start);
      this.#put("collectAll", collectAll);
    });
    await this.#rearm();
    await this.#release();
  }

  /** Adds an event to the batch; a full batch starts its run at once. */
  async batch(
    event: { internalId: string; bytes: number },
    cfg: { maxSize: number; timeoutMs: number; maxBytes: number },
    start: BufferedStart,
  ): Promise<void> {
    [event, cfg, start] = parseRpcArgs(batchArgsSchema, [event, cfg, start], "FlowObject.batch");
    this.#store.transaction(() => {
      this.#put("start", start);
      this.#put("batchTimeout", cfg.timeoutMs);
      const flush = this.#update("batch", (s: BatchState) => {
        const r = batchPush(s, Date.now(), event, cfg);
        return [r.state, r.flush];
      });
      if (flush) this.#store.addRelease(start.functionId, flush, Date.now());
    });
    await this.#rearm();
    await this.#release();
  }

  /** Claims the singleton slot for a run; says whether it starts and which run to cancel. */
  async singletonClaim(runId: string, mode: "skip" | "cancel"): Promise<{ outcome: "start" | "skip"; cancel: string | null }> {
    [runId, mode] = parseRpcArgs(singletonClaimArgsSchema, [runId, mode], "FlowObject.singletonClaim");
    return this.#update("singleton", (s: SingletonState) => {
      const r = singletonClaim(s, runId, mode);
      return [r.state, { outcome: r.outcome, cancel: r.cancel }];
    });
  }

  /** Frees the singleton slot when its run ends. */
  async singletonRelease(runId: string): Promise<void> {
    runId = parseRpcArgs(runIdArgSchema, runId, "FlowObject.singletonRelease");
    this.#update("singleton", (s: SingletonState) => [singletonRelease(s, runId), undefined]);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const granted = this.#update("leases", (s: LeaseState) => {
      const limit = this.#get("limit") ?? 0;
      const r = expire(s, now, limit);
      return [r.state, r.granted];
    });
    this.#closeDueBuffers(now);
    await this.#rearm();
    await this.#notifyGranted(granted);
    await this.#release();
  }

  /**
   * Pending starts of buffered events, for tests and diagnostics: each is kept until its run
   * exists, however many attempts that takes.
   */
  async pendingReleases(): Promise<PendingRelease[]> {
    return this.#store.releases();
  }

  /**
   * Closes a debounce window or batch whose time has come, in one storage step: the buffer is
   * emptied and its events become a pending release together, so a crash loses neither.
   */
  #closeDueBuffers(now: number): void {
    this.#store.transaction(() => {
      const start = this.#get("start");
      const debounced = this.#update("debounce", (s: DebounceState) => {
        const r = debounceDue(s, now);
        return [r.state, r.fire];
      });
      const batched = this.#update("batch", (s: BatchState) => {
        const r = batchDue(s, now, this.#get("batchTimeout") ?? 0);
        return [r.state, r.flush];
      });
      if (!start) {
        // Only possible when the stored function was set aside as unreadable: keep the events too.
        const orphaned = [...(debounced ? this.#takeWindow(debounced) : []), ...(batched ?? [])];
        if (orphaned.length > 0) this.#store.setAside("releases", JSON.stringify(orphaned), "no function stored to start them with");
        return;
      }
      if (debounced) this.#store.addRelease(start.functionId, this.#takeWindow(debounced), now);
      if (batched) this.#store.addRelease(start.functionId, batched, now);
    });
  }

  /** Starts the runs of due releases; failures stay stored and the alarm retries them. */
  async #release(): Promise<void> {
    await releaseDue(this.#store, (r) => flushBuffered(this.env, { functionId: r.functionId }, r.events), Date.now);
    await this.#rearm();
  }

  /** The events a closed debounce window starts its run with, emptying the collected window. */
  #takeWindow(last: string): string[] {
    if (!this.#get("collectAll")) return [last];
    const window = this.#get("window") ?? [];
    this.#put("window", []);
    return window.length > 0 ? window : [last];
  }

  async #notifyGranted(holders: string[]): Promise<void> {
    await Promise.all(
      holders.map(async (holder) => {
        const [runId, target] = holder.split("/") as [string, string];
        // A lost notice is repaired by the run re-asking for its slot on its own timer.
        await this.env.RUNS.getByName(runId)
          .slotGranted(target)
          .catch((err: unknown) => {
            console.error(`stepflare: could not tell run ${runId} it has a slot`, err);
          });
      }),
    );
  }

  async #rearm(): Promise<void> {
    const candidates = [
      nextExpiry(this.#state("leases")),
      this.#state("debounce").fireAt,
      batchDeadline(this.#state("batch"), this.#get("batchTimeout") ?? 0),
      this.#store.nextReleaseAt(),
    ].filter((t): t is number => t !== null);
    if (candidates.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...candidates));
  }

  #update<K extends keyof FlowStates, R>(kind: K, fn: (state: FlowStates[K]) => [FlowStates[K], R]): R {
    const [next, result] = fn(this.#state(kind));
    // FlowValues extends FlowStates, so the value of a state kind is its state.
    this.#put<K>(kind, next as FlowValues[K]);
    return result;
  }

  #state<K extends keyof FlowStates>(kind: K): FlowStates[K] {
    return this.#get(kind) ?? flowStateDefaults[kind]();
  }

  #get<K extends FlowKind>(kind: K): FlowValues[K] | null {
    return this.#store.get(kind);
  }

  #put<K extends FlowKind>(kind: K, value: FlowValues[K]): void {
    this.#store.put(kind, value);
  }
}
