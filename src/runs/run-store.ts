import { ENDPOINT_SYNC_LEASE_MS, UNREADABLE_LOG_CHARS } from "../constants";
import type { ConcurrencyConstraint } from "../flow/concurrency";
import { PauseLocations } from "./pause-locations";
import { readBlob, writeBlob } from "./blobs";
import type { RunFacts } from "./decide";
import { CANCELLED_ERROR, runEndEvents, type FinalState } from "./run-end-events";
import type { SdkEvent } from "../ingest/event";
import type { RunStart } from "./run-start";
import { RUN_MIGRATIONS, RUN_SCHEMA } from "./run-schema";
import { createOrMigrate, hasSchema, migrate } from "../util/sqlite-migrate";
import { parseStoredJson, UnreadableStateError } from "../util/stored-json";
import { runError, type RunError } from "../errors";
import { storedConstraintsSchema, storedEventsSchema, storedMemoSchema, storedThrottleSchema } from "./stored-run-json";
import { RunAlarm } from "./run-alarm";
import { RunCalls } from "./run-calls";
import { RunOutbox } from "./run-outbox";
import { RunHistory, type StepInfo } from "./run-history";
import { RunStateSize } from "./run-state-size";
import type { LeasedCall, RunRow, RunStatus, WaitRow } from "./run-rows";
import { cancelListeners, waitEffects } from "./wait-effects";
import { runChainDepth } from "./system-event-values";
import { DISCOVERY, emptyTransition, isErrorMemo, type GatewayRequest, type Memo, type StepWait, type StoredStep, type Transition } from "./transition";

/** A throttle bucket and its rate, as a run carries it. */
export type ThrottleSpec = NonNullable<RunStart["throttle"]>;

const ACTIVE = new Set<RunStatus>(["queued", "running"]);

/**
 * The run row as last read, per object storage (undefined: read it again), so a step does not
 * read the same row several times. Every write to the row goes through RunStore and forgets it,
 * as does any transaction that throws (its writes were rolled back); stores over the same storage
 * share it, so none of them keeps a row another changed.
 */
const rowCaches = new WeakMap<DurableObjectStorage, { row: RunRow | null | undefined }>();

function rowCacheOf(storage: DurableObjectStorage): { row: RunRow | null | undefined } {
  let cache = rowCaches.get(storage);
  if (!cache) rowCaches.set(storage, (cache = { row: undefined }));
  return cache;
}

/**
 * The run's durable state inside its Durable Object. Every method is synchronous: each
 * transition is one SQLite transaction, so a crash leaves either the whole change or none.
 */
export class RunStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  /** The run's history rows and which of them D1 has yet to see. */
  readonly history: RunHistory;
  /** The object's one alarm, set to whatever the run owes next. */
  readonly alarm: RunAlarm;
  /** Effects owed by stored changes, carried out after them. */
  readonly outbox: RunOutbox;
  /** The calls the run owes and their leases. */
  readonly calls: RunCalls;
  /** Which wait shard holds each of the run's pauses. */
  readonly pauseLocations: PauseLocations;
  /** What the run's state weighs, held under the 32 MiB cap. */
  readonly #size: RunStateSize;
  /** Parsed memos, loaded once; storage stays the source of truth and is written first. */
  #memos: Map<string, unknown> | null = null;
  #events: SdkEvent[] | null = null;
  /** The run row as last read, shared by every RunStore over the same storage (see rowCaches). */
  readonly #cache: { row: RunRow | null | undefined };
  /** How long the object keeps an ended run before deleting its storage; null: forever. */
  readonly #retentionMs: number | null;
  /**
   * Whether the schema exists. An object without a run gets none until `init`: an object whose
   * storage retention deleted stays empty when asked about its run (it answers "no run").
   */
  #ready: boolean;

  constructor(storage: DurableObjectStorage, { retentionMs = null }: { retentionMs?: number | null } = {}) {
    this.#storage = storage;
    this.#sql = storage.sql;
    this.#retentionMs = retentionMs;
    this.#cache = rowCacheOf(storage);
    this.#ready = hasSchema(this.#sql);
    if (this.#ready) migrate(this.#sql, RUN_MIGRATIONS);
    this.history = new RunHistory(storage);
    this.alarm = new RunAlarm(storage, () => (this.#ready ? [this.history.resendAt(), this.expiresAt()] : []));
    this.outbox = new RunOutbox(this.#sql);
    this.calls = new RunCalls(storage);
    this.pauseLocations = new PauseLocations(storage.kv);
    this.#size = new RunStateSize(this.#sql);
  }

  /** The run, or null before `init` (and once retention deleted it). */
  run(): RunRow | null {
    if (!this.#ready) return null;
    if (this.#cache.row === undefined) this.#cache.row = this.#sql.exec<RunRow>("SELECT * FROM run").toArray()[0] ?? null;
    return this.#cache.row;
  }

  /** When the ended run's storage is due to be deleted; null while it runs or when kept forever. */
  expiresAt(): number | null {
    const endedAt = this.run()?.ended_at ?? null;
    return endedAt === null || this.#retentionMs === null ? null : endedAt + this.#retentionMs;
  }

  /** Forgets everything held in memory after the object's storage was deleted: it has no run now. */
  forget(): void {
    this.#ready = false;
    this.#cache.row = undefined;
    this.#memos = null;
    this.#events = null;
  }

  /** Whether the run has not ended. */
  isActive(): boolean {
    const run = this.run();
    return run !== null && ACTIVE.has(run.status);
  }

  /** Stores a new run, its cancellation listeners and its first discovery request. False if it exists. */
  init(start: RunStart, now: number): boolean {
    if (this.run()) return false;
    if (!this.#ready) {
      createOrMigrate(this.#sql, RUN_MIGRATIONS, RUN_SCHEMA);
      this.#ready = true;
    }
    this.#transaction(() => {
      this.#sql.exec(
        `INSERT INTO run (singleton, id, function_id, app_id, event_id, step_url, status, max_attempts, finish_timeout,
           constraints, priority, singleton_flow, throttle, queued_at)
         VALUES (1, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
        start.runId,
        start.functionId,
        start.appId,
        start.eventId,
        start.stepUrl,
        start.maxAttempts,
        start.timeouts.finishMs ?? null,
        JSON.stringify(start.concurrency),
        start.priority,
        start.singleton ?? null,
        start.throttle ? JSON.stringify(start.throttle) : null,
        start.queuedAt,
      );
      this.#cache.row = undefined;
      writeBlob(this.#sql, "events", JSON.stringify(start.events));
      for (const stepId of start.seed?.stack ?? []) {
        writeBlob(this.#sql, `memo:${stepId}`, JSON.stringify(start.seed!.memos[stepId] ?? null));
        this.#sql.exec("INSERT OR IGNORE INTO stack (step_id) VALUES (?)", stepId);
      }
      if (start.timeouts.startMs !== undefined) this.#setTimer("start_timeout", start.queuedAt + start.timeouts.startMs);
      for (const entry of cancelListeners(start, now)) this.outbox.add(entry);
      this.calls.request(DISCOVERY, start.startAt);
      if (start.endpoint) this.#startEndpoint(start.endpoint, now);
      this.history.markDirty("run", start.runId);
    });
    return true;
  }

  /** The events the run was triggered by (never change once stored). */
  events(): SdkEvent[] {
    this.#events ??= parseStoredJson(storedEventsSchema, readBlob(this.#sql, "events") ?? "[]", { table: "blobs", key: "events" });
    return this.#events;
  }

  /** Memoised step results keyed by hashed step id. */
  memos(): ReadonlyMap<string, unknown> {
    if (!this.#memos) {
      this.#memos = new Map();
      for (const { step_id } of this.#sql.exec<{ step_id: string }>("SELECT step_id FROM stack")) {
        this.#memos.set(
          step_id,
          parseStoredJson(storedMemoSchema, readBlob(this.#sql, `memo:${step_id}`) ?? "null", { table: "blobs", key: `memo:${step_id}` }),
        );
      }
    }
    return this.#memos;
  }

  /** Completed step ids in replay order. */
  stack(): string[] {
    return this.#sql
      .exec<{ step_id: string }>("SELECT step_id FROM stack ORDER BY pos")
      .toArray()
      .map((r) => r.step_id);
  }

  /** What `decide` needs to know. */
  facts(): RunFacts {
    const run = this.#requireRun();
    const pending = this.#sql.exec<{ step_id: string }>("SELECT step_id FROM pending_plan").toArray();
    return {
      maxAttempts: run.max_attempts,
      memoized: new Set(this.memos().keys()),
      pendingPlan: new Set(pending.map((r) => r.step_id)),
      forceStepPlan: run.force_step_plan === 1,
    };
  }

  /** Calls due now and not already in flight in this instance, oldest first; none once the run ended. */
  dueCalls(now: number, inFlight: ReadonlySet<string>, limit: number): LeasedCall[] {
    return this.isActive() ? this.calls.due(now, inFlight, limit) : [];
  }

  /**
   * The run's first call is going out: it has passed its throttle and concurrency limits, so it
   * counts as started (timeouts.start stops, timeouts.finish starts).
   */
  markStarted(now: number): void {
    const run = this.#requireRun();
    if (run.status !== "queued") return;
    this.#transaction(() => {
      this.#sql.exec("UPDATE run SET status = 'running', started_at = ?", now);
      this.#cache.row = undefined;
      this.#sql.exec("DELETE FROM run_timers WHERE kind = 'start_timeout'");
      if (run.finish_timeout !== null) this.#setTimer("finish_timeout", now + run.finish_timeout);
      this.history.markDirty("run", run.id);
    });
  }

  /** The throttle the run's start is taken from, and the start already reserved, if any. */
  throttle(): { spec: ThrottleSpec; reservedAt: number | null } | null {
    const run = this.#requireRun();
    return run.throttle
      ? { spec: parseStoredJson(storedThrottleSchema, run.throttle, { table: "run", key: "throttle" }), reservedAt: run.throttled_until }
      : null;
  }

  /** Keeps the start the throttle reserved, so a restart does not reserve a second one. */
  reserveStart(at: number): void {
    this.#sql.exec("UPDATE run SET throttled_until = ?", at);
    this.#cache.row = undefined;
  }

  /**
   * Applies one decided transition for the answer to `call`, atomically. A transition that would
   * take the run's state past MAX_RUN_STATE_BYTES ends the run failed instead (RunStateTooLarge):
   * retrying cannot make the state smaller.
   */
  apply(call: LeasedCall, decided: Transition, now: number): void {
    if (!this.isActive()) return;
    const memos = this.memos() as Map<string, unknown>;
    const news = decided.stored.filter((step) => !memos.has(step.stepId));
    const output = decided.end?.status === "completed" ? [{ output: decided.end.output }] : [];
    const size = this.#size.check([...news.map((step) => step.memo), ...output]);
    const t: Transition = size.error ? { ...emptyTransition(), end: { status: "failed", error: size.error } } : decided;
    const fresh = size.error ? [] : news;
    this.#transaction(() => {
      this.calls.settle(call, t);
      for (const step of fresh) this.#storeStep(step.stepId, step.memo, step, step.attempts, now, step.timing);
      for (const step of t.attemptErrors) {
        this.history.upsertStep(step.stepId, step, "errored", step.attempts, JSON.stringify(step.error), now, null);
      }
      for (const step of t.planned) this.#plan(step.stepId, step, now, "sdk", null);
      for (const step of t.gateways) this.#plan(step.stepId, step, now, "gateway", step.request);
      for (const wait of t.waits) this.#wait(wait, now);
      if (t.discover) this.calls.request(DISCOVERY, now);
      if (t.version !== undefined) this.#sql.exec("UPDATE run SET version = ?", t.version);
      this.#cache.row = undefined;
      if (t.forceStepPlan !== undefined) this.#sql.exec("UPDATE run SET force_step_plan = ?", t.forceStepPlan ? 1 : 0);
      this.#cache.row = undefined;
      if (t.end) this.#end(t.end, now);
      this.history.markDirty("run", this.#requireRun().id);
    });
    for (const step of fresh) memos.set(step.stepId, step.memo);
    if (!size.error) this.#size.add(size.bytes);
  }

  /**
   * Stores steps the SDK checkpointed while its discovery request is still running: memos and
   * stack only, as a `StepRun` answer would, without settling the call or asking for discovery
   * (the SDK carries on). The call's attempt count restarts, as after any successful step.
   * False when the run has ended, or ends now because the steps would outgrow its state cap: the
   * SDK must stop running steps for it.
   */
  checkpoint(steps: StoredStep[], now: number): boolean {
    if (!this.isActive()) return false;
    const memos = this.memos() as Map<string, unknown>;
    const fresh = steps.filter((step) => !memos.has(step.stepId));
    const size = this.#size.check(fresh.map((step) => step.memo));
    if (size.error) {
      this.#endNow({ status: "failed", error: size.error }, now);
      return false;
    }
    this.#transaction(() => {
      for (const step of fresh) this.#storeStep(step.stepId, step.memo, step, step.attempts, now, step.timing);
      // Only when it changes: an unchanged row is left unwritten (one page less to commit).
      this.#sql.exec("UPDATE calls SET attempt = 0 WHERE target = ? AND attempt <> 0", DISCOVERY);
      this.history.markDirty("run", this.#requireRun().id);
    });
    for (const step of fresh) memos.set(step.stepId, step.memo);
    this.#size.add(size.bytes);
    return true;
  }

  /**
   * Resolves a waiting step with its memo (the matched event, the child's result, `null` on a
   * timeout) and asks for discovery once its group is done. False if the step is not waiting.
   */
  resolveWait(stepId: string, memo: Memo, now: number): boolean {
    const wait = this.#sql.exec<WaitRow>("SELECT * FROM waits WHERE step_id = ?", stepId).toArray()[0];
    if (!wait || !this.isActive()) return false;
    const size = this.#size.check([memo]);
    if (size.error) {
      this.#endNow({ status: "failed", error: size.error }, now);
      return true;
    }
    this.#transaction(() => {
      this.#sql.exec("DELETE FROM waits WHERE step_id = ?", stepId);
      if (wait.kind !== "sleep") this.outbox.add({ kind: "unpause", pauseIds: [`${this.#requireRun().id}:${stepId}`] });
      this.#storeStep(stepId, memo, { op: this.history.step(stepId)?.op ?? "Sleep" }, 1, now);
      if (this.#pendingCount() === 0) this.#finishGroup(now);
      this.history.markDirty("run", this.#requireRun().id);
    });
    (this.memos() as Map<string, unknown>).set(stepId, memo);
    this.#size.add(size.bytes);
    return true;
  }

  /** Waits whose time has come: sleeps that ended and waits that timed out. */
  dueWaits(now: number): WaitRow[] {
    if (!this.isActive()) return [];
    return this.#sql.exec<WaitRow>("SELECT * FROM waits WHERE wake_at <= ? ORDER BY wake_at", now).toArray();
  }

  /** Run-level deadlines that have passed. */
  dueTimers(now: number): ("start_timeout" | "finish_timeout")[] {
    if (!this.isActive()) return [];
    return this.#sql
      .exec<{ kind: "start_timeout" | "finish_timeout" }>("SELECT kind FROM run_timers WHERE at <= ?", now)
      .toArray()
      .map((r) => r.kind);
  }

  /** Ends the run as cancelled; anything still running finishes but nothing after it starts. */
  cancel(now: number): boolean {
    if (!this.isActive()) return false;
    this.#endNow({ status: "cancelled" }, now);
    return true;
  }

  /**
   * Ends the run as failed, with a recorded `StoredStateUnreadable` error, because one of its
   * stored values cannot be read by this build. An unreadable outbox entry is also removed (the
   * start of its content goes to the log), so the effects after it are carried out. False when
   * nothing changed: the run had already ended and the value is not an outbox entry.
   */
  failUnreadable(err: UnreadableStateError, now: number): boolean {
    const dropEntry = err.table === "outbox";
    if (!dropEntry && !this.isActive()) return false;
    this.#transaction(() => {
      if (dropEntry) {
        const row = this.#sql.exec<{ body: string }>("SELECT body FROM outbox WHERE seq = ?", Number(err.key)).toArray()[0];
        console.error(`stepflare: dropping unreadable outbox entry ${err.key}: ${row?.body.slice(0, UNREADABLE_LOG_CHARS) ?? "(gone)"}`);
        this.#sql.exec("DELETE FROM outbox WHERE seq = ?", Number(err.key));
      }
      if (!this.isActive()) return;
      this.#end({ status: "failed", error: runError("StoredStateUnreadable", err.message) }, now);
      this.history.markDirty("run", this.#requireRun().id);
    });
    return true;
  }

  /**
   * Ends the run as failed with `error`, for a failure retrying cannot fix (storage refusing one
   * of its values for good). False when the run had already ended.
   */
  failForGood(error: RunError, now: number): boolean {
    if (!this.isActive()) return false;
    this.#endNow({ status: "failed", error }, now);
    return true;
  }

  /** The concurrency limits each of this run's steps must fit under. */
  constraints(): ConcurrencyConstraint[] {
    const run = this.run();
    return run ? parseStoredJson(storedConstraintsSchema, run.constraints, { table: "run", key: "constraints" }) : [];
  }

  /** A slot was granted to a parked call: it is due now. False if no such call waits or the run ended. */
  unpark(target: string, now: number): boolean {
    return this.isActive() && this.calls.unpark(target, now);
  }

  /** The run's output or error JSON once ended. */
  result(): string | null {
    return readBlob(this.#sql, "result");
  }

  /** A memo as stored JSON, for history. */
  memoJson(stepId: string): string | null {
    return readBlob(this.#sql, `memo:${stepId}`);
  }

  /** Ends the run outside any decided transition: cancelled, or failed by a server-made error. */
  #endNow(state: FinalState, now: number): void {
    this.#transaction(() => {
      this.#end(state, now);
      this.history.markDirty("run", this.#requireRun().id);
    });
  }

  /**
   * A durable endpoint run is already running in the endpoint's own request: its discovery call
   * counts as in flight, held for ENDPOINT_SYNC_LEASE_MS (renewed by each checkpoint), after which
   * the server presumes the request lost and calls the endpoint itself.
   */
  #startEndpoint(endpoint: NonNullable<RunStart["endpoint"]>, now: number): void {
    this.#sql.exec("UPDATE run SET status = 'running', started_at = ?, endpoint_method = ?, version = ?", now, endpoint.method, endpoint.version);
    this.#cache.row = undefined;
    this.calls.hold(DISCOVERY, now + ENDPOINT_SYNC_LEASE_MS);
  }

  /**
   * One transaction of the run's changes, its history rows marked dirty together at its end
   * (RunHistory.batched). If it throws, its writes are rolled back: the run row read during it
   * may hold one of them, so it is read again.
   */
  #transaction(change: () => void): void {
    try {
      this.#storage.transactionSync(() => this.history.batched(change));
    } catch (err) {
      this.#cache.row = undefined;
      throw err;
    }
  }

  #requireRun(): RunRow {
    const run = this.run();
    if (!run) throw new Error("run is not initialised");
    return run;
  }

  #plan(stepId: string, info: StepInfo, now: number, kind: "sdk" | "gateway", request: GatewayRequest | null): void {
    this.#sql.exec("INSERT OR IGNORE INTO pending_plan (step_id) VALUES (?)", stepId);
    this.history.upsertStep(stepId, info, "running", 0, null, now, null);
    this.calls.request(stepId, now, kind, request);
  }

  #wait(wait: StepWait, now: number): void {
    const run = this.#requireRun();
    this.#sql.exec("INSERT OR IGNORE INTO pending_plan (step_id) VALUES (?)", wait.stepId);
    this.#sql.exec(
      "INSERT OR IGNORE INTO waits (step_id, kind, wake_at, detail) VALUES (?, ?, ?, ?)",
      wait.stepId,
      wait.detail.kind,
      wait.wakeAt,
      JSON.stringify(wait.detail),
    );
    this.history.upsertStep(wait.stepId, wait, "running", 0, null, now, null);
    const events = this.events();
    const waiting = { id: run.id, appId: run.app_id, functionId: run.function_id, trigger: events[0]!, chainDepth: runChainDepth(events) };
    const effect = waitEffects(waiting, wait, now);
    if (effect) this.outbox.add(effect);
  }

  #storeStep(stepId: string, memo: Memo, info: StepInfo, attempts: number, now: number, timing?: StoredStep["timing"]): void {
    writeBlob(this.#sql, `memo:${stepId}`, JSON.stringify(memo));
    this.#sql.exec("INSERT OR IGNORE INTO stack (step_id) VALUES (?)", stepId);
    this.#sql.exec("DELETE FROM pending_plan WHERE step_id = ?", stepId);
    const failed = isErrorMemo(memo);
    const error = failed ? JSON.stringify(memo.error) : null;
    this.history.upsertStep(stepId, info, failed ? "failed" : "completed", attempts, error, now, timing?.endedAt ?? now, timing?.startedAt ?? null);
  }

  #pendingCount(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM pending_plan").one().n;
  }

  /** The whole parallel group has results: discover what comes next, planning steps freely again. */
  #finishGroup(now: number): void {
    this.#sql.exec("UPDATE run SET force_step_plan = 0");
    this.#cache.row = undefined;
    this.calls.request(DISCOVERY, now);
  }

  #setTimer(kind: "start_timeout" | "finish_timeout", at: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO run_timers (kind, at) VALUES (?, ?)", kind, at);
  }

  #end(state: FinalState, now: number): void {
    const run = this.#requireRun();
    this.#sql.exec("UPDATE run SET status = ?, ended_at = ?", state.status, now);
    this.#cache.row = undefined;
    const result = state.status === "completed" ? { output: state.output } : { error: state.status === "failed" ? state.error : CANCELLED_ERROR };
    writeBlob(this.#sql, "result", JSON.stringify(result));
    this.#sql.exec("DELETE FROM calls; DELETE FROM pending_plan; DELETE FROM waits; DELETE FROM run_timers");
    this.outbox.add({ kind: "unpause_run" });
    if (run.singleton_flow) this.outbox.add({ kind: "release_singleton", flow: run.singleton_flow });
    const ended = { id: run.id, functionId: run.function_id, endedAt: now, events: this.#eventsIfReadable() };
    this.outbox.add({ kind: "emit", events: runEndEvents(ended, state) });
  }

  /** The trigger events, or none when they cannot be read: a run failing for that reason still ends. */
  #eventsIfReadable(): SdkEvent[] {
    try {
      return this.events();
    } catch (err) {
      if (err instanceof UnreadableStateError) return [];
      throw err;
    }
  }
}
