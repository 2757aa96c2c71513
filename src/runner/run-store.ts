import { CALL_LEASE_MS } from "../constants";
import { readBlob, writeBlob } from "./blobs";
import type { RunFacts } from "./decide";
import type { RunStart, SdkEvent } from "./run-start";
import { migrate, RUN_MIGRATIONS } from "./run-schema";
import { DISCOVERY, type Call, type Transition } from "./transition";

/** Lifecycle states of a run, as stored. */
export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** The run row. */
export type RunRow = {
  id: string;
  function_id: string;
  app_id: string;
  event_id: string;
  step_url: string;
  status: RunStatus;
  version: number;
  force_step_plan: number;
  max_attempts: number;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
};

/** A call with the generation it was read at, so a stale answer cannot erase a newer request. */
export type LeasedCall = Call & { gen: number };

/**
 * The run's durable state inside its Durable Object. Every method is synchronous: each
 * transition is one SQLite transaction, so a crash leaves either the whole change or none.
 */
export class RunStore {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  /** Parsed memos, loaded once; storage stays the source of truth and is written first. */
  #memos: Map<string, unknown> | null = null;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    migrate(this.#sql, RUN_MIGRATIONS);
  }

  /** The run, or null before `init`. */
  run(): RunRow | null {
    return this.#sql.exec<RunRow>("SELECT * FROM run").toArray()[0] ?? null;
  }

  /** Stores a new run and asks for its first discovery request. Returns false if it already exists. */
  init(start: RunStart): boolean {
    if (this.run()) return false;
    this.#storage.transactionSync(() => {
      this.#sql.exec(
        `INSERT INTO run (singleton, id, function_id, app_id, event_id, step_url, status, max_attempts, queued_at)
         VALUES (1, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        start.runId, start.functionId, start.appId, start.eventId, start.stepUrl, start.maxAttempts, start.queuedAt,
      );
      writeBlob(this.#sql, "events", JSON.stringify(start.events));
      this.#requestCall(DISCOVERY, start.queuedAt);
      this.#markDirty("run", start.runId);
    });
    return true;
  }

  /** The events the run was triggered by. */
  events(): SdkEvent[] {
    return JSON.parse(readBlob(this.#sql, "events") ?? "[]") as SdkEvent[];
  }

  /** Memoised step results keyed by hashed step id. */
  memos(): ReadonlyMap<string, unknown> {
    if (!this.#memos) {
      this.#memos = new Map();
      for (const { step_id } of this.#sql.exec<{ step_id: string }>("SELECT step_id FROM stack")) {
        this.#memos.set(step_id, JSON.parse(readBlob(this.#sql, `memo:${step_id}`) ?? "null"));
      }
    }
    return this.#memos;
  }

  /** Completed step ids in replay order. */
  stack(): string[] {
    return this.#sql.exec<{ step_id: string }>("SELECT step_id FROM stack ORDER BY pos").toArray().map((r) => r.step_id);
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

  /** Calls due now and not already in flight in this instance, oldest first. */
  dueCalls(now: number, inFlight: ReadonlySet<string>, limit: number): LeasedCall[] {
    if (limit <= 0) return [];
    return this.#sql
      .exec<LeasedCall>(
        `SELECT target, attempt, gen FROM calls
         WHERE due_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
         ORDER BY due_at`,
        now, now,
      )
      .toArray()
      .filter((c) => !inFlight.has(c.target))
      .slice(0, limit);
  }

  /** Marks calls as being made until `until`; if the object dies, they come due again then. */
  lease(targets: Iterable<string>, now: number): void {
    const until = now + CALL_LEASE_MS;
    this.#storage.transactionSync(() => {
      for (const target of targets) this.#sql.exec("UPDATE calls SET leased_until = ? WHERE target = ?", until, target);
      const run = this.#requireRun();
      if (run.status === "queued") {
        this.#sql.exec("UPDATE run SET status = 'running', started_at = ?", now);
        this.#markDirty("run", run.id);
      }
    });
  }

  /** Applies one decided transition for the answer to `call`, atomically. */
  apply(call: LeasedCall, t: Transition, now: number): void {
    const run = this.#requireRun();
    if (run.status !== "running" && run.status !== "queued") return;
    const memos = this.memos() as Map<string, unknown>;
    const fresh = t.stored.filter((step) => !memos.has(step.stepId));
    this.#storage.transactionSync(() => {
      this.#settleCall(call, t);
      for (const step of fresh) this.#storeStep(step, now);
      for (const step of t.attemptErrors) {
        this.#upsertStep(step.stepId, step, "errored", step.attempts, JSON.stringify(step.error), now, null);
      }
      for (const step of t.planned) {
        this.#sql.exec("INSERT OR IGNORE INTO pending_plan (step_id) VALUES (?)", step.stepId);
        this.#upsertStep(step.stepId, step, "running", 0, null, now, null);
        this.#requestCall(step.stepId, now);
      }
      if (t.discover) this.#requestCall(DISCOVERY, now);
      if (t.version !== undefined) this.#sql.exec("UPDATE run SET version = ?", t.version);
      if (t.forceStepPlan !== undefined) this.#sql.exec("UPDATE run SET force_step_plan = ?", t.forceStepPlan ? 1 : 0);
      if (t.end) this.#end(t.end, now);
      this.#markDirty("run", run.id);
    });
    for (const step of fresh) memos.set(step.stepId, step.memo);
  }

  /** When the object next needs to wake, or null when nothing is owed. */
  nextWakeAt(): number | null {
    const row = this.#sql
      .exec<{ at: number | null }>("SELECT min(max(due_at, coalesce(leased_until, 0))) AS at FROM calls")
      .one();
    return row.at;
  }

  /** Schedules the alarm for the next wake-up, or clears it. */
  async rearm(extra?: number): Promise<void> {
    const next = [this.nextWakeAt(), extra ?? null].filter((v): v is number => v !== null);
    if (next.length === 0) await this.#storage.deleteAlarm();
    else await this.#storage.setAlarm(Math.min(...next));
  }

  /** History rows changed since they were last copied to D1. */
  dirty(): { kind: "run" | "step"; key: string; rev: number }[] {
    return this.#sql.exec<{ kind: "run" | "step"; key: string; rev: number }>("SELECT kind, key, rev FROM dirty").toArray();
  }

  /** Forgets dirty markers copied to D1, unless they changed again since. */
  clearDirty(rows: { kind: string; key: string; rev: number }[]): void {
    this.#storage.transactionSync(() => {
      for (const r of rows) this.#sql.exec("DELETE FROM dirty WHERE kind = ? AND key = ? AND rev = ?", r.kind, r.key, r.rev);
    });
  }

  /** A step's history row. */
  step(stepId: string): StepRow | null {
    return this.#sql.exec<StepRow>("SELECT * FROM steps WHERE step_id = ?", stepId).toArray()[0] ?? null;
  }

  /** The run's output or error JSON once ended. */
  result(): string | null {
    return readBlob(this.#sql, "result");
  }

  /** A memo as stored JSON, for history. */
  memoJson(stepId: string): string | null {
    return readBlob(this.#sql, `memo:${stepId}`);
  }

  #requireRun(): RunRow {
    const run = this.run();
    if (!run) throw new Error("run is not initialised");
    return run;
  }

  #requestCall(target: string, now: number): void {
    this.#sql.exec(
      `INSERT INTO calls (target, attempt, due_at, leased_until, gen) VALUES (?, 0, ?, NULL, 0)
       ON CONFLICT (target) DO UPDATE SET attempt = 0, due_at = excluded.due_at, gen = gen + 1`,
      target, now,
    );
  }

  #settleCall(call: LeasedCall, t: Transition): void {
    if (t.retry) {
      this.#sql.exec(
        "UPDATE calls SET attempt = ?, due_at = ?, leased_until = NULL WHERE target = ? AND gen = ?",
        t.retry.attempt, t.retry.dueAt, call.target, call.gen,
      );
    } else {
      this.#sql.exec("DELETE FROM calls WHERE target = ? AND gen = ?", call.target, call.gen);
    }
    // Asked for again while in flight: the newer request is due as soon as this one is settled.
    this.#sql.exec("UPDATE calls SET leased_until = NULL WHERE target = ?", call.target);
  }

  #storeStep(step: Transition["stored"][number], now: number): void {
    const json = JSON.stringify(step.memo);
    writeBlob(this.#sql, `memo:${step.stepId}`, json);
    this.#sql.exec("INSERT OR IGNORE INTO stack (step_id) VALUES (?)", step.stepId);
    this.#sql.exec("DELETE FROM pending_plan WHERE step_id = ?", step.stepId);
    const failed = "error" in step.memo;
    const error = failed ? JSON.stringify((step.memo as { error: unknown }).error) : null;
    this.#upsertStep(step.stepId, step, failed ? "failed" : "completed", step.attempts, error, now, now);
  }

  #upsertStep(
    stepId: string,
    info: { name?: string; displayName?: string; op: string },
    status: StepRow["status"],
    attempts: number,
    error: string | null,
    now: number,
    endedAt: number | null,
  ): void {
    this.#sql.exec(
      `INSERT INTO steps (step_id, name, display_name, op, status, attempts, error, started_at, ended_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM steps))
       ON CONFLICT (step_id) DO UPDATE SET
         name = coalesce(excluded.name, name), display_name = coalesce(excluded.display_name, display_name),
         op = excluded.op, status = excluded.status, attempts = max(attempts, excluded.attempts),
         error = excluded.error, ended_at = excluded.ended_at`,
      stepId, info.name ?? null, info.displayName ?? null, info.op, status, attempts, error, now, endedAt,
    );
    this.#markDirty("step", stepId);
  }

  #end(end: NonNullable<Transition["end"]>, now: number): void {
    this.#sql.exec("UPDATE run SET status = ?, ended_at = ?", end.status, now);
    writeBlob(this.#sql, "result", JSON.stringify(end.status === "completed" ? { output: end.output } : { error: end.error }));
    this.#sql.exec("DELETE FROM calls");
    this.#sql.exec("DELETE FROM pending_plan");
  }

  #markDirty(kind: "run" | "step", key: string): void {
    this.#sql.exec(
      `INSERT INTO dirty (kind, key, rev) VALUES (?, ?, 1)
       ON CONFLICT (kind, key) DO UPDATE SET rev = rev + 1`,
      kind, key,
    );
  }
}

/** A step's history row inside the run. */
export type StepRow = {
  step_id: string;
  name: string | null;
  display_name: string | null;
  op: string;
  status: "running" | "completed" | "failed" | "errored";
  attempts: number;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
  seq: number;
};
