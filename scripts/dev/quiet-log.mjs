/**
 * Miniflare's log on the dev server's default path, without the lines that report stepflare's own
 * work rather than the user's: a queue batch handled in full (see quiet.mjs, which keeps the same
 * lines out of `wrangler dev`'s output). Everything else is logged as Miniflare's Log does.
 * @module
 */
import { Log, LogLevel } from "miniflare";
import { isQueueBatchDone } from "./quiet.mjs";

/** A Miniflare Log that leaves out the line of each queue batch handled in full. */
export class QuietLog extends Log {
  /**
   * @param {LogLevel} level
   * @param {string} message
   */
  logWithLevel(level, message) {
    if (level === LogLevel.INFO && isQueueBatchDone(message)) return;
    super.logWithLevel(level, message);
  }
}
