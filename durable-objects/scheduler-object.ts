import { DurableObject } from "cloudflare:workers";
import { ALARM_ERROR_RETRY_MS, CRON_TICKS_PER_ALARM, HEARTBEAT_INTERVAL_MS } from "../src/constants";
import { type DuePlan, planDue } from "../src/cron/catch-up";
import { desiredSchedules, reconcileSchedules } from "../src/cron/reconcile";
import type { Schedule } from "../src/cron/schedule";
import { ScheduleStore } from "../src/cron/schedule-store";
import { tickEvent } from "../src/cron/tick-event";
import type { Env } from "../src/env";
import { emitEvents } from "../src/ingest/emit-events";
import { deleteExpiredHistory } from "../src/history/retention";
import { sweepOverdueRuns } from "../src/cron/sweep";
import { listFunctions } from "../src/sync/store";

/**
 * The one scheduler: the server's heartbeat, which repairs what a crash or a restart can leave
 * behind, and every cron schedule. Its single alarm rings for whichever comes first. Alarms
 * persist, so it survives restarts of `wrangler dev`; the Cron Trigger re-arms it in production
 * should it ever be lost.
 */
export class SchedulerObject extends DurableObject<Env> {
  readonly #store: ScheduleStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new ScheduleStore(ctx.storage.sql);
  }

  /**
   * Arms the heartbeat and brings the schedules up to date. Each isolate calls it on its first
   * request, so a server that just started schedules the crons synced while it was down.
   */
  async ensureHeartbeat(): Promise<void> {
    await this.refreshSchedules();
  }

  /**
   * Runs one heartbeat now: wakes runs whose alarm was lost and deletes history past its
   * retention (events never routed are re-driven by their event shard). Returns how many of each
   * it handled.
   */
  async beat(): Promise<{ woken: number; expired: number }> {
    const now = Date.now();
    const [woken, expired] = await Promise.all([
      sweepOverdueRuns(this.env, now),
      // Apart, so that a retention that fails (a setting it cannot read) stops nothing else.
      deleteExpiredHistory(this.env, now).then(
        (pass) => pass.deleted,
        (err: unknown) => {
          console.error("stepflare: deleting history past its retention failed", err);
          return 0;
        },
      ),
    ]);
    return { woken, expired };
  }

  /**
   * Reconciles the schedules with the synced functions' cron triggers (adds new ones, removes
   * those of removed functions or expressions, keeps the next tick of the rest) and re-arms.
   */
  async refreshSchedules(): Promise<void> {
    await this.#reconcile();
    await this.#arm();
  }

  /** The stored schedules, for tests and diagnostics. */
  async schedules(): Promise<Schedule[]> {
    return this.#store.all();
  }

  override async alarm(): Promise<void> {
    await this.#attempt("heartbeat", () => this.#beatIfDue(Date.now()));
    // Refreshing first drops a tick whose cron was removed by a sync the refresh missed.
    await this.#attempt("refreshing cron schedules", () => this.#reconcile());
    const fired = await this.#attempt("emitting cron ticks", () => this.#fireDue(Date.now()));
    // Ticks that failed to emit are still due; without a pause the alarm would ring at once.
    await this.#arm(fired ? undefined : Date.now() + ALARM_ERROR_RETRY_MS);
  }

  /** Runs `work`, logging a failure instead of throwing it; true when it succeeded. */
  async #attempt(what: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      console.error(`stepflare: scheduler: ${what} failed`, err);
      return false;
    }
  }

  async #beatIfDue(now: number): Promise<void> {
    const at = this.#store.heartbeatAt();
    if (at !== null && at > now) return;
    // Planned before beating, so a failing beat is retried at the next heartbeat, not in a loop.
    this.#store.setHeartbeatAt(now + HEARTBEAT_INTERVAL_MS);
    await this.beat();
  }

  async #reconcile(): Promise<void> {
    const functions = await listFunctions(this.env.DB);
    // Read and written with no await in between, so a concurrent alarm or refresh cannot
    // interleave and the diff is never applied to rows that changed after it was computed.
    const changes = reconcileSchedules(desiredSchedules(functions), this.#store.all(), Date.now());
    for (const { key, error } of changes.invalid) {
      console.error(`stepflare: cron "${key.cron}" of function "${key.functionId}" cannot be scheduled: ${error}`);
    }
    this.#store.apply(changes);
  }

  /**
   * Emits every due tick, then moves each schedule on. A crash in between emits the same ticks
   * again, which is harmless: a tick's event is keyed by its schedule and time, so it is stored
   * and routed once.
   */
  async #fireDue(now: number): Promise<void> {
    const plans: { schedule: Schedule; plan: DuePlan }[] = [];
    for (const schedule of this.#store.due(now, CRON_TICKS_PER_ALARM)) {
      try {
        plans.push({ schedule, plan: planDue(schedule, now) });
      } catch (err) {
        // Removed rather than retried forever; the next refresh re-adds it from its next tick.
        console.error(`stepflare: cron "${schedule.cron}" of function "${schedule.functionId}" failed to advance`, err);
        this.#store.remove(schedule);
      }
    }
    if (plans.length === 0) return;
    await emitEvents(
      this.env,
      plans.map(({ plan }) => tickEvent(plan.fire)),
      now,
    );
    for (const { schedule, plan } of plans) this.#store.advance(schedule, schedule.nextAt, plan.next);
  }

  /** Arms the alarm for the next heartbeat or tick, whichever is first, and not before `notBefore`. */
  async #arm(notBefore = 0): Promise<void> {
    let heartbeat = this.#store.heartbeatAt();
    if (heartbeat === null) {
      heartbeat = Date.now() + HEARTBEAT_INTERVAL_MS;
      this.#store.setHeartbeatAt(heartbeat);
    }
    const wake = Math.min(heartbeat, this.#store.earliestFire() ?? Infinity);
    await this.ctx.storage.setAlarm(Math.max(wake, notBefore));
  }
}
