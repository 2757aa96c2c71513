/**
 * The checkpoint shortcut of the `local` transport. While a run object calls an in-process app,
 * the app's SDK runs inside that call, in the object itself; the `POST /v1/checkpoint/:runId/async`
 * it sends for the same run (through `stepflareFetch`) is handed to the object's checkpoint code
 * directly instead of as an RPC from the object to itself, which costs the arguments' copy, the
 * object's input gate and the wait for the step's write to be durable before the answer.
 *
 * That last wait is not needed here: the SDK that hears "accepted" runs in the same object, so
 * anything its next steps send out of it (a fetch, a call to another object) is still held by the
 * platform's output gate until the write is durable, and if the object dies first the SDK dies
 * with it and the run resumes from storage as after any crash.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Op } from "../protocol/ops";

/** A run object's checkpoint code: stores the steps, false (stale) once the run has ended. */
export type LocalCheckpoint = (ops: Op[]) => Promise<{ accepted: boolean }>;

const current = new AsyncLocalStorage<{ runId: string; checkpoint: LocalCheckpoint }>();

/** Runs `call` (a call to the app for `runId`) with `checkpoint` as the shortcut for that run's checkpoints. */
export function withLocalCheckpoint<T>(runId: string, checkpoint: LocalCheckpoint, call: () => T): T {
  return current.run({ runId, checkpoint }, call);
}

/**
 * The shortcut for `runId`'s checkpoints when this code runs inside a call its run object is
 * making (an in-process app's SDK reporting steps), else undefined: send them as an RPC.
 */
export function localCheckpointFor(runId: string): LocalCheckpoint | undefined {
  const held = current.getStore();
  return held?.runId === runId ? held.checkpoint : undefined;
}
