import { HISTORY_INLINE_VALUE_BYTES, HISTORY_MESSAGE_MAX_BYTES, HISTORY_MESSAGE_MAX_ROWS, HISTORY_REFS_PER_MESSAGE } from "../constants";
import { utf8Bytes } from "../util/utf8";
import type { FullRunRow, FullStepRow } from "./history-rows";
import type { HistoryValue, RunHistoryMessage, RunHistoryRow, StepHistoryRow } from "./history-message";

/** A message ready to send, with its size in UTF-8 bytes of JSON. */
export interface SizedMessage<T> {
  body: T;
  bytes: number;
}

/** A value inline when it is small enough, else by reference (the consumer reads it from the object). */
function carry(value: string | null): { value: HistoryValue; ref: boolean } {
  if (value === null || utf8Bytes(value) <= HISTORY_INLINE_VALUE_BYTES) return { value, ref: false };
  return { value: { ref: true }, ref: true };
}

/** A row as a message carries it, and how many of its values go by reference. */
function carried<R extends FullRunRow | FullStepRow>(
  row: R,
): { row: Omit<R, "output" | "error"> & { output: HistoryValue; error: HistoryValue }; refs: number } {
  const output = carry(row.output);
  const error = carry(row.error);
  return { row: { ...row, output: output.value, error: error.value }, refs: Number(output.ref) + Number(error.ref) };
}

/**
 * Packs a run's rows into history messages, each under HISTORY_MESSAGE_MAX_BYTES (the Queue
 * carries 128 KB), HISTORY_MESSAGE_MAX_ROWS rows and HISTORY_REFS_PER_MESSAGE values by
 * reference. Inline values are at most HISTORY_INLINE_VALUE_BYTES, so every row fits a message
 * of its own: nothing is cut or left out.
 */
export function packRunHistory(runId: string, rows: { run?: FullRunRow; steps: FullStepRow[] }): SizedMessage<RunHistoryMessage>[] {
  const empty = (): RunHistoryMessage => ({ kind: "run_history", runId, steps: [] });
  const baseBytes = utf8Bytes(JSON.stringify(empty()));
  const messages: SizedMessage<RunHistoryMessage>[] = [];
  let current = { body: empty(), bytes: baseBytes, rows: 0, refs: 0 };
  const close = () => {
    if (current.rows > 0) messages.push({ body: current.body, bytes: current.bytes });
    current = { body: empty(), bytes: baseBytes, rows: 0, refs: 0 };
  };
  const add = (bytes: number, refs: number, put: (body: RunHistoryMessage) => void) => {
    const full =
      current.rows >= HISTORY_MESSAGE_MAX_ROWS || current.bytes + bytes > HISTORY_MESSAGE_MAX_BYTES || current.refs + refs > HISTORY_REFS_PER_MESSAGE;
    if (full) close();
    put(current.body);
    current.bytes += bytes;
    current.rows++;
    current.refs += refs;
  };
  if (rows.run) {
    const { row, refs } = carried(rows.run);
    // `"run":{...},` in the message.
    add(utf8Bytes(JSON.stringify(row)) + 7, refs, (body) => {
      body.run = row as RunHistoryRow;
    });
  }
  for (const step of rows.steps) {
    const { row, refs } = carried(step);
    add(utf8Bytes(JSON.stringify(row)) + 1, refs, (body) => {
      body.steps.push(row as StepHistoryRow);
    });
  }
  close();
  return messages;
}
