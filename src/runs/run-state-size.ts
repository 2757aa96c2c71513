import { MAX_RUN_STATE_BYTES } from "../constants";
import { runError, type RunError } from "../errors";
import { jsonBytes } from "../util/utf8";
import { blobBytes } from "./blobs";

/** What adding values to a run's state would weigh, and the error to end the run with if too much. */
export interface StateCheck {
  bytes: number;
  error: RunError | null;
}

/**
 * The size of a run's state (its events and step results, in UTF-8 bytes of stored JSON), held
 * under MAX_RUN_STATE_BYTES as Inngest holds its 32 MiB state limit. Measured from storage once
 * per object instance, then counted as values are stored.
 */
export class RunStateSize {
  readonly #sql: SqlStorage;
  #bytes: number | null = null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Bytes stored now; the run's final result does not count, it is checked as it is added. */
  current(): number {
    this.#bytes ??= blobBytes(this.#sql, ["result"]);
    return this.#bytes;
  }

  /** Weighs values about to be stored (as JSON) against the cap. */
  check(values: unknown[]): StateCheck {
    const bytes = values.reduce<number>((sum, value) => sum + jsonBytes(value), 0);
    const total = this.current() + bytes;
    if (total <= MAX_RUN_STATE_BYTES) return { bytes, error: null };
    const message = `the run's state would reach ${total} bytes (events, step results and output); the limit is ${MAX_RUN_STATE_BYTES} bytes`;
    return { bytes, error: runError("RunStateTooLarge", message) };
  }

  /** Counts bytes that were just stored. */
  add(bytes: number): void {
    this.#bytes = this.current() + bytes;
  }
}
