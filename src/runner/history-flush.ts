import { HISTORY_FLUSH_MAX_ROWS } from "../constants";
import { enqueueMessages } from "../ingest/enqueue";
import type { HistoryMessage } from "./history-message";
import { packRunHistory } from "./history-pack";
import { buildHistoryRows } from "./history-rows";
import type { RunStore } from "../runs/run-store";

/**
 * Sends the run's history rows that are due (changed, or sent long ago without a confirmation)
 * to the history Queue, at most HISTORY_FLUSH_MAX_ROWS of them, and notes when they were sent.
 * Runs off the step path; a failed send leaves them due for the next flush.
 *
 * A row stays dirty until the history consumer confirms, by an RPC to this object, that D1 has
 * it (`RunObject.historyWritten`), and is sent again HISTORY_RESEND_AFTER_MS after each send
 * until then. Confirmation, rather than forgetting a row once the Queue accepted it, because
 * local Queues live in memory: a dev server killed before its consumer ran loses the messages,
 * and only the object still knows what D1 lacks. The consumer's writes are idempotent and keep
 * the newest version of a row, so a row sent twice is harmless.
 */
export async function sendHistory(queue: Queue<HistoryMessage>, store: RunStore, now: number): Promise<void> {
  const run = store.run();
  if (!run) return;
  const due = store.history.due(now, HISTORY_FLUSH_MAX_ROWS);
  if (due.length === 0) return;
  const built = buildHistoryRows(store, run, due, now);
  // A marker whose row is gone has nothing to send or confirm.
  if (built.gone.length > 0) store.history.clearDirty(built.gone);
  await enqueueMessages(queue, packRunHistory(run.id, built));
  store.history.markSent(due, now);
}
