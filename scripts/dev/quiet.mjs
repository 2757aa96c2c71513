/**
 * What `wrangler dev` prints that does not apply to stepflare, kept out of the console: the
 * warning that Scheduled Workers are not triggered (the scheduler Durable Object fires crons
 * itself) and the request lines of the dashboard's and the dev process's own polling (`GET /v0/...`
 * every two seconds while a dashboard is open, `GET /health`). Everything else passes unchanged.
 * The offline `Request.cf` warning is avoided at its source (CLOUDFLARE_CF_FETCH_ENABLED=false).
 * @module
 */

/** A request line of wrangler's log for a polling route. */
const POLLING_REQUEST = /^\[wrangler:info\] GET \/(v0\/|health\b)/;
/** The first line of the scheduled-workers warning; its indented and blank lines follow. */
const SCHEDULED_WARNING = /Scheduled Workers are not automatically triggered/;

/**
 * A filter for one output stream: feed it chunks, it calls `write` with the lines to keep.
 * @param {(text: string) => void} write
 */
export function quietLines(write) {
  let pending = "";
  let inWarning = false;
  const keep = (line) => {
    if (inWarning && (line.trim() === "" || /^\s/.test(line))) return false;
    inWarning = false;
    if (SCHEDULED_WARNING.test(line)) {
      inWarning = true;
      return false;
    }
    return !POLLING_REQUEST.test(line);
  };
  return (chunk) => {
    const lines = (pending + String(chunk)).split("\n");
    pending = lines.pop() ?? "";
    const kept = lines.filter(keep);
    if (kept.length > 0) write(kept.map((l) => `${l}\n`).join(""));
  };
}
