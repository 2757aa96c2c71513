/**
 * The history Queue consumer: writes each batch of messages to D1 in one batch of statements,
 * then confirms to each run's object which versions of its rows D1 now has.
 * @module
 */
import { z } from "zod";
import { HISTORY_CONSUMER_BATCH_SIZE } from "../constants";
import type { Env } from "../env";
import { historyMessageSchema, type HistoryMessage, type HistoryValue, type RunHistoryMessage } from "../runner/history-message";
import { isPermanentStorageError } from "../util/storage-refusal";
import { mapLimit } from "../util/map-limit";
import { emptyWrites, historyStatements, type HistoryWrites } from "./write-history";

/** A row version to confirm to its run's object. */
type Written = { kind: "run" | "step"; key: string; rev: number };

/**
 * Consumes one batch. A message that does not parse is logged and acknowledged: it can never be
 * written, and a run's object sends its rows again until they are confirmed. When reading values
 * by reference or writing D1 fails, the whole batch is retried (every write is idempotent).
 */
export async function consumeHistory(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const messages: HistoryMessage[] = [];
  for (const message of batch.messages) {
    const parsed = historyMessageSchema.safeParse(message.body);
    if (parsed.success) messages.push(parsed.data);
    else console.error(`stepflare: dropping a malformed history message: ${z.prettifyError(parsed.error)}`);
  }
  // Slices of HISTORY_CONSUMER_BATCH_SIZE keep the values held in memory and the row-by-row
  // fallback's D1 calls bounded; the Queue delivers up to HISTORY_QUEUE_BATCH_SIZE at once. A
  // slice's run objects are asked all at once, and its confirmations go on while the next slice
  // is written: a consumer that waits on each in turn falls behind the runs it serves, and every
  // run still unconfirmed wakes to check on its rows (history-flush.ts).
  let confirming: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < messages.length; i += HISTORY_CONSUMER_BATCH_SIZE) {
    const slice = messages.slice(i, i + HISTORY_CONSUMER_BATCH_SIZE);
    const resolved = await mapLimit(slice, HISTORY_CONSUMER_BATCH_SIZE, async (m): Promise<HistoryMessage> =>
      m.kind === "run_history" ? resolveRefs(env, m) : m,
    );
    await writeAll(env.DB, collect(resolved));
    confirming = Promise.all([confirming, confirm(env, resolved)]);
  }
  await confirming;
}

/** Values a message carried by reference, read from the run's object (null when it no longer has them). */
async function resolveRefs(env: Env, message: RunHistoryMessage): Promise<RunHistoryMessage> {
  const isRef = (v: HistoryValue) => v !== null && typeof v === "object";
  const refs = [
    ...(message.run && (isRef(message.run.output) || isRef(message.run.error)) ? [{ kind: "run" as const, key: message.runId }] : []),
    ...message.steps.filter((s) => isRef(s.output) || isRef(s.error)).map((s) => ({ kind: "step" as const, key: s.stepId })),
  ];
  if (refs.length === 0) return message;
  const values = await env.RUNS.getByName(message.runId).historyValues(refs);
  const find = (kind: "run" | "step", key: string) => values.find((v) => v.kind === kind && v.key === key);
  const fill = (value: HistoryValue, full: string | null | undefined): HistoryValue => (isRef(value) ? (full ?? null) : value);
  const runValues = find("run", message.runId);
  return {
    ...message,
    ...(message.run ? { run: { ...message.run, output: fill(message.run.output, runValues?.output), error: fill(message.run.error, runValues?.error) } } : {}),
    steps: message.steps.map((step) => {
      const full = find("step", step.stepId);
      return { ...step, output: fill(step.output, full?.output), error: fill(step.error, full?.error) };
    }),
  };
}

/** A resolved value: references were replaced by `resolveRefs`. */
function text(value: HistoryValue): string | null {
  return typeof value === "string" ? value : null;
}

/** Every row of the batch, by table. */
function collect(messages: HistoryMessage[]): HistoryWrites {
  const writes = emptyWrites();
  for (const m of messages) {
    if (m.kind === "queued_runs") writes.queued.push(...m.runs.map((r) => ({ ...r, at: m.at })));
    else if (m.kind === "skipped_runs") writes.skipped.push(...m.skips.map((s) => ({ ...s, at: m.at })));
    else if (m.kind === "event_effects") writes.effects.push(...m.effects.map((e) => ({ ...e, at: m.at })));
    else {
      if (m.run) writes.runs.push({ ...m.run, runId: m.runId, output: text(m.run.output), error: text(m.run.error) });
      writes.steps.push(...m.steps.map((s) => ({ ...s, runId: m.runId, output: text(s.output), error: text(s.error) })));
    }
  }
  return writes;
}

/**
 * Writes the batch in one D1 batch. A value D1 refuses for good (too large, nested too deep)
 * would fail it on every retry, so the batch is written again without outputs and errors, and
 * if even that is refused, row by row, skipping (and logging) the rows refused without values:
 * a row that can never be written is not retried forever.
 */
async function writeAll(db: D1Database, writes: HistoryWrites): Promise<void> {
  const statements = historyStatements(db, writes);
  if (statements.length === 0) return;
  try {
    await db.batch(statements);
    return;
  } catch (err) {
    if (!isPermanentStorageError(err)) throw err;
    console.error("stepflare: history refused a value for good; writing this batch without outputs and errors", err);
  }
  try {
    await db.batch(historyStatements(db, writes, false));
    return;
  } catch (err) {
    if (!isPermanentStorageError(err)) throw err;
  }
  // Runs and steps one by one (at most HISTORY_MESSAGE_MAX_ROWS per message); routing's rows,
  // small and made of ids alone, together.
  const single = [
    ...writes.runs.map((row) => ({ ...emptyWrites(), runs: [row] })),
    ...writes.steps.map((row) => ({ ...emptyWrites(), steps: [row] })),
    { ...emptyWrites(), queued: writes.queued, skipped: writes.skipped, effects: writes.effects },
  ];
  for (const one of single) {
    const statements = historyStatements(db, one, false);
    if (statements.length === 0) continue;
    try {
      await db.batch(statements);
    } catch (err) {
      if (!isPermanentStorageError(err)) throw err;
      console.error(
        `stepflare: history row refused for good even without values; skipped: ${JSON.stringify({ ...one, runs: one.runs.map((r) => r.runId), steps: one.steps.map((s) => [s.runId, s.stepId]) })}`,
        err,
      );
    }
  }
}

/**
 * Tells each run's object which versions of its rows D1 has, so it stops sending them. A failed
 * confirmation is only logged: the object sends the rows again, and writing them twice is harmless.
 */
async function confirm(env: Env, messages: HistoryMessage[]): Promise<void> {
  const byRun = new Map<string, Written[]>();
  for (const m of messages) {
    if (m.kind !== "run_history") continue;
    const rows = byRun.get(m.runId) ?? [];
    if (m.run) rows.push({ kind: "run", key: m.runId, rev: m.run.seq });
    rows.push(...m.steps.map((s) => ({ kind: "step" as const, key: s.stepId, rev: s.seq })));
    byRun.set(m.runId, rows);
  }
  await mapLimit([...byRun], HISTORY_CONSUMER_BATCH_SIZE, async ([runId, rows]) => {
    try {
      await env.RUNS.getByName(runId).historyWritten(rows);
    } catch (err) {
      console.error(`stepflare: confirming history to run ${runId} failed; it will be sent again`, err);
    }
  });
}
