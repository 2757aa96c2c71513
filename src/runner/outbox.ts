import type { Env } from "../env";
import { runError } from "../errors";
import { UnreadableStateError } from "../util/stored-json";
import { invokeDepthError, invokeDepthOf } from "../runs/invoke-depth";
import { isPermanentStorageError } from "../util/storage-refusal";
import { emitEvents } from "../ingest/emit-events";
import { applyLookback } from "../waits/lookback";
import type { Pause } from "../waits/pause";
import { registerPause, removePauses } from "../waits/register";
import { signalShard, type SignalHold } from "../waits/signal-holds";
import type { OutboxEntry } from "../runs/run-outbox";
import type { RunStore } from "../runs/run-store";

/** Whether a function id is synced, so an invoke of an unknown one fails at once. */
async function functionExists(db: D1Database, id: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS ok FROM functions WHERE id = ?").bind(id).first()) !== null;
}

/** Registers one of the run's pauses in the wait index, recording its shard first. */
async function savePause(env: Env, store: RunStore, pause: Pause, now: number): Promise<void> {
  await registerPause(env, pause, now, (shard) => store.pauseLocations.record(pause.id, shard));
}

/** Removes pauses of the run from their shards, then forgets where they were. */
async function dropPauses(env: Env, store: RunStore, ids: string[]): Promise<void> {
  const located = store.pauseLocations.located(ids);
  await removePauses(env, located);
  store.pauseLocations.forget(located.map((p) => p.id));
}

/**
 * Carries out the run's outbox in order, deleting each entry once done. Everything here is
 * idempotent (pauses and events have fixed ids), so an entry interrupted by a crash is safely
 * carried out again.
 */
export async function processOutbox(env: Env, store: RunStore, now: number): Promise<void> {
  for (const { seq, entry } of store.outbox.entries()) {
    if (entry instanceof UnreadableStateError) {
      console.error(`stepflare: run ${store.run()?.id ?? "?"}: ${entry.message}; the entry is dropped and the run fails`);
      store.failUnreadable(entry, now);
      continue;
    }
    try {
      await carryOut(env, store, entry, now);
    } catch (err) {
      if (!isPermanentStorageError(err)) throw err;
      refuseEntry(store, seq, entry, err, now);
      continue;
    }
    store.outbox.delete(seq);
  }
}

/**
 * An entry storage refuses for good (a value too large or too deep for D1) would block every
 * effect after it on each retry: it is dropped with a note in the log, and a run still going
 * fails with a recorded `StorageRefused` error. The entries after it are carried out.
 */
function refuseEntry(store: RunStore, seq: number, entry: OutboxEntry, err: unknown, now: number): void {
  const runId = store.run()?.id ?? "?";
  console.error(`stepflare: run ${runId}: storage refused its ${entry.kind} effect for good; the effect is dropped`, err);
  store.outbox.delete(seq);
  store.failForGood(
    runError("StorageRefused", `storage refused the run's ${entry.kind} effect: a value in it is too large or nested too deeply to store`),
    now,
  );
}

/** Carries out one entry. */
async function carryOut(env: Env, store: RunStore, entry: OutboxEntry, now: number): Promise<void> {
  switch (entry.kind) {
    case "pause":
      await savePause(env, store, entry.pause, now);
      await applyLookback(env, store, entry.pause, now);
      break;
    case "unpause":
      await dropPauses(env, store, entry.pauseIds);
      break;
    case "unpause_run":
      // The run ended: every pause it still has, cancellation listeners included, goes.
      await dropPauses(
        env,
        store,
        store.pauseLocations.all().map((p) => p.id),
      );
      break;
    case "emit":
      await emitEvents(env, entry.events, now);
      break;
    case "invoke": {
      const tooDeep = invokeDepthError(invokeDepthOf(entry.invoked), entry.functionId);
      if (tooDeep) {
        store.resolveWait(entry.stepId, { error: tooDeep }, now);
        break;
      }
      if (!(await functionExists(env.DB, entry.functionId))) {
        store.resolveWait(entry.stepId, { error: invokeNotFound(entry.functionId) }, now);
        break;
      }
      // The pause is registered before the child can exist, so its finish cannot be missed.
      await savePause(env, store, entry.pause, now);
      await emitEvents(env, [entry.invoked], now);
      break;
    }
    case "signal":
      await claimSignal(env, store, entry.hold, entry.replace, now);
      break;
    case "release_singleton":
      await env.FLOWS.getByName(entry.flow).singletonRelease(store.run()!.id);
      break;
  }
}

/**
 * Claims the signal name for the waiting step, recording the shard first so the run's end or the
 * wait's resolution releases it. A `"fail"` wait on a name another run holds fails the step.
 */
async function claimSignal(env: Env, store: RunStore, hold: SignalHold, replace: boolean, now: number): Promise<void> {
  const shard = signalShard(hold.signal);
  store.pauseLocations.record(hold.pause_id, shard);
  const claim = await env.WAIT_SHARDS.getByName(shard).claimSignal(hold, replace, now);
  if (claim.held) return;
  store.pauseLocations.forget([hold.pause_id]);
  const message = `run ${claim.holderRunId} is already waiting for signal "${hold.signal}"; use onConflict: "replace" to take it over`;
  store.resolveWait(hold.step_id, { error: runError("SignalConflict", message) }, now);
}

function invokeNotFound(functionId: string) {
  return runError("NonRetriableError", `could not invoke "${functionId}": no synced function has that id (ids are "<app id>-<function id>")`);
}
