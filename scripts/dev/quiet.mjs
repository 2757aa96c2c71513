/**
 * What `wrangler dev` prints that does not apply to stepflare, kept out of the console: the
 * warning that Scheduled Workers are not triggered (the scheduler Durable Object fires crons
 * itself), the request lines of the dashboard's and the dev process's own polling (`GET /v0/...`
 * every two seconds while a dashboard is open, `GET /health`) and the line for each batch of
 * stepflare's own queues that was handled in full (`QUEUE stepflare-events 1/1`; a batch with
 * messages left to retry is still shown). Everything else passes unchanged.
 * The offline `Request.cf` warning is avoided at its source (CLOUDFLARE_CF_FETCH_ENABLED=false).
 * @module
 */

/** A request line of wrangler's log for a polling route. */
const POLLING_REQUEST = /^\[wrangler:info\] GET \/(v0\/|health\b)/;
/** Miniflare's line for a queue batch whose messages were all acknowledged (`QUEUE <name> 3/3 (12ms)`). */
const QUEUE_BATCH_DONE = /^QUEUE \S+ (\d+)\/\1\b/;
/** wrangler's prefix on the lines Miniflare logs at info level. */
const WRANGLER_INFO = "[wrangler:info] ";
/** Colour codes, which Miniflare puts around parts of its lines when the terminal has colours. */
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Whether Miniflare's log `message` reports a queue batch handled in full. Every queue of the dev
 * server's Worker is stepflare's own: its batches are stepflare at work, not the user's code.
 * @param {string} message
 */
export function isQueueBatchDone(message) {
  return QUEUE_BATCH_DONE.test(message.replace(ANSI, ""));
}

/** The first line of the scheduled-workers warning; its indented and blank lines follow. */
const SCHEDULED_WARNING = /Scheduled Workers are not automatically triggered/;

/**
 * A filter for one output stream: feed it chunks, it calls `write` with the lines to keep.
 * `queueBatches` keeps the lines of queue batches handled in full (`--verbose`).
 * @param {(text: string) => void} write
 * @param {{ queueBatches?: boolean }} [options]
 */
export function quietLines(write, { queueBatches = false } = {}) {
  let pending = "";
  let inWarning = false;
  const keep = (line) => {
    if (inWarning && (line.trim() === "" || /^\s/.test(line))) return false;
    inWarning = false;
    if (SCHEDULED_WARNING.test(line)) {
      inWarning = true;
      return false;
    }
    const bare = line.replace(ANSI, "");
    if (!queueBatches && bare.startsWith(WRANGLER_INFO) && isQueueBatchDone(bare.slice(WRANGLER_INFO.length))) return false;
    return !POLLING_REQUEST.test(line);
  };
  return (chunk) => {
    const lines = (pending + String(chunk)).split("\n");
    pending = lines.pop() ?? "";
    const kept = lines.filter(keep);
    if (kept.length > 0) write(kept.map((l) => `${l}\n`).join(""));
  };
}
