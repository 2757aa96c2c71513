import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import type { RunStartInput } from "../../../src/runs/run-start";
import type { RunObject } from "../../../durable-objects/run-object";
import type { RunHistoryRow, StepHistoryRow } from "./d1";
import { rows } from "./d1";
import { sleep, waitFor } from "./wait";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** The run row the RunObject reports. */
export type RunRow = NonNullable<Awaited<ReturnType<RunObject["status"]>>>;

/** The step URL the SDK syncs for function `fnId` of an app served at `appUrl`. */
export function stepUrl(appUrl: string, fnId: string): string {
  return `${appUrl}?fnId=${encodeURIComponent(fnId)}&stepId=step`;
}

/** A RunStart for a fresh run of `functionId`, triggered by one event named `eventName`. */
export function runStart(appUrl: string, appId: string, fnSlug: string, eventName: string, overrides: Partial<RunStartInput> = {}): RunStartInput {
  const now = Date.now();
  const eventId = ulid(now);
  const functionId = `${appId}-${fnSlug}`;
  return {
    runId: ulid(now),
    functionId,
    appId,
    eventId,
    stepUrl: stepUrl(appUrl, functionId),
    maxAttempts: 3,
    events: [{ name: eventName, data: {}, id: eventId, ts: now, user: {} }],
    queuedAt: now,
    startAt: now,
    ...overrides,
  };
}

/** The RunObject of `runId`. */
export function runStub(runId: string) {
  return env.RUNS.getByName(runId);
}

/** Whether a run status is final. */
export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL.has(status);
}

/**
 * Runs the object's alarms until the run ends. The pool also fires due alarms by itself, so an
 * alarm may already have run; an alarm set for later is waited for (running it early would find
 * nothing due: retries and sleeps are due at a time, not when the alarm runs).
 * Returns the final row and how many alarms this loop ran.
 */
export async function driveToEnd(runId: string, { timeoutMs = 15_000 }: { timeoutMs?: number } = {}): Promise<{ run: RunRow; alarms: number }> {
  const stub = runStub(runId);
  const deadline = Date.now() + timeoutMs;
  let alarms = 0;
  for (;;) {
    const run = await stub.status();
    if (run && isTerminal(run.status)) return { run, alarms };
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end within ${timeoutMs} ms: ${JSON.stringify(run)}`);
    const at = await alarmOf(runId);
    if (at !== null && at > Date.now()) await sleep(Math.min(at - Date.now(), 100));
    else if (at !== null && (await runDurableObjectAlarm(stub))) alarms++;
    else await sleep(10);
  }
}

/** Runs one alarm if one is armed. */
export function runAlarm(runId: string): Promise<boolean> {
  return runDurableObjectAlarm(runStub(runId));
}

/** When the object's alarm is set for, or null. */
export function alarmOf(runId: string): Promise<number | null> {
  return runInDurableObject(runStub(runId), (_instance, state) => state.storage.getAlarm());
}

/** Waits until the object's alarm is set for `at` (history confirmed, nothing else owed sooner). */
export async function alarmSettlesAt(runId: string, at: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(`run ${runId}'s alarm to be set for ${at}`, async () => ((await alarmOf(runId)) === at ? true : undefined), timeoutMs);
}

/** Deletes the object's alarm, so nothing fires after the test that armed it. */
export async function clearAlarm(runId: string): Promise<void> {
  await runInDurableObject(runStub(runId), (_instance, state) => state.storage.deleteAlarm());
}

/** Rows of a table inside the run's own SQLite storage. */
export function objectRows<T extends Record<string, SqlStorageValue>>(runId: string, sql: string): Promise<T[]> {
  return runInDurableObject(runStub(runId), (_instance, state) => state.storage.sql.exec<T>(sql).toArray());
}

/** Makes every call the run owes due now, skipping retry backoff without changing anything else. */
export async function skipBackoff(runId: string): Promise<void> {
  await runInDurableObject(runStub(runId), async (_instance, state) => {
    state.storage.sql.exec("UPDATE calls SET due_at = 0");
    await state.storage.setAlarm(Date.now());
  });
}

/** The D1 history row of a run. */
export async function historyRun(runId: string): Promise<RunHistoryRow | undefined> {
  return (await rows<RunHistoryRow>("SELECT * FROM runs WHERE id = ?", runId))[0];
}

/** The D1 history step rows of a run, in the order they were first seen. */
export function historySteps(runId: string): Promise<StepHistoryRow[]> {
  return rows<StepHistoryRow>("SELECT * FROM steps WHERE run_id = ? ORDER BY seq", runId);
}

/**
 * Evicts the run's object (in-memory state gone, storage kept), failing within `timeoutMs` rather
 * than the pool's 30 s when something (a pending timer, an open request) pins it in memory.
 */
export async function evict(runId: string, timeoutMs = 3_000): Promise<void> {
  let timer = 0;
  const pinned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run ${runId}'s object could not be evicted within ${timeoutMs} ms: something keeps it in memory`)), timeoutMs);
  });
  try {
    await Promise.race([evictDurableObject(runStub(runId)), pinned]);
  } finally {
    clearTimeout(timer);
  }
}
