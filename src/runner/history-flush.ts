import { HISTORY_FLUSH_MAX_ROWS, HISTORY_RESEND_AFTER_MS, QUEUE_BEHIND_SKEW_MS } from "../constants";
import { enqueueMessages } from "../ingest/enqueue";
import { lookAgainAfter, oldestWaitingSentAt } from "../ingest/queue-lag";
import type { HistoryMessage } from "./history-message";
import { packRunHistory } from "./history-pack";
import { buildHistoryRows } from "./history-rows";
import type { DirtyRow } from "../runs/run-history";
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
  const due = await notLate(queue, store, store.history.due(now, HISTORY_FLUSH_MAX_ROWS), now);
  if (due.length === 0) return;
  const built = buildHistoryRows(store, run, due, now);
  // A marker whose row is gone has nothing to send or confirm.
  if (built.gone.length > 0) store.history.clearDirty(built.gone);
  await enqueueMessages(queue, packRunHistory(run.id, built));
  store.history.markSent(due, now);
}

/**
 * The rows of `due` to send now. Rows sent before and not confirmed are sent again only when
 * the history Queue no longer holds a message sent before them (within QUEUE_BEHIND_SKEW_MS):
 * while it does, the consumer is behind and has not reached them, and another copy of every
 * busy run's rows would only lengthen its backlog. Those are noted as sent later, so that the
 * next look comes after about the Queue's lag (lookAgainAfter) rather than every
 * HISTORY_RESEND_AFTER_MS, which would wake every such run for nothing. Comparing against the
 * later time is safe: the Queue has passed it only once it has passed the rows' own message
 * too. Rows lost with a local Queue (a dev server stopped) are sent again once it is empty.
 */
async function notLate<T extends DirtyRow & { sentAt: number | null }>(queue: Queue<HistoryMessage>, store: RunStore, due: T[], now: number): Promise<T[]> {
  if (!due.some((row) => row.sentAt !== null)) return due;
  const oldest = await oldestWaitingSentAt(queue);
  if (oldest === null) return due;
  const late = due.filter((row) => row.sentAt !== null && oldest <= row.sentAt + QUEUE_BEHIND_SKEW_MS);
  if (late.length > 0) store.history.markSent(late, now + lookAgainAfter(oldest, now, HISTORY_RESEND_AFTER_MS) - HISTORY_RESEND_AFTER_MS);
  return due.filter((row) => !late.includes(row));
}
