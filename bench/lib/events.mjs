/**
 * Sending events to the dev server and waiting on the app's reports, shared by the stepflare
 * measurements.
 * @module
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EVENT_KEY } from "./config.mjs";

export const EVENT_PATH = `/e/${EVENT_KEY}`;

/** Send one event and resolve to the id the server gave it. */
export async function sendEvent(client, name, data) {
  const response = await client.post(EVENT_PATH, { name, data });
  const id = response.json?.ids?.[0];
  if (response.status !== 200 || !id) throw new Error(`POST ${EVENT_PATH}: ${response.status} ${response.text}`);
  return id;
}

/** Send `events` (`{ name, data }`) in one request; resolves to their ids. */
export async function sendEvents(client, events) {
  const response = await client.post(EVENT_PATH, events);
  const ids = response.json?.ids;
  if (response.status !== 200 || ids?.length !== events.length) {
    throw new Error(`POST ${EVENT_PATH} (${events.length} events): ${response.status} ${response.text.slice(0, 200)}`);
  }
  return ids;
}

/**
 * Poll `check()` every `intervalMs` until it returns true or `timeoutMs` has passed; resolves to
 * whether it did. Bounded in time and so in count.
 */
export async function pollUntil(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Wait until the app has answered no call from the server for `quietMs` (the server has nothing
 * left to run), polling its call count; resolves to whether that happened within `timeoutMs`.
 * Resets the app's call counters (`takeCalls`).
 */
export async function waitForQuiet(app, quietMs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  await app.takeCalls();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    if ((await app.takeCalls()).count > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return true;
  }
  return false;
}

/** Push `message` onto `list` unless it is already there. */
export function addOnce(list, message) {
  if (!list.includes(message)) list.push(message);
}

/** How many runs without a report are looked up when explaining them. */
const EXPLAIN_LOOKUPS = 5;

/**
 * For runs the app never heard from, what the server says about their events (a few of them, by
 * id): the event's status and its runs' statuses, e.g. `01H… routed, runs: Running`. Evidence
 * for the report; lookups that fail say so.
 */
export async function explainMissing(client, eventIds) {
  const parts = [];
  for (const id of eventIds.slice(0, EXPLAIN_LOOKUPS)) {
    try {
      const [event, runs] = await Promise.all([client.get(`/v1/events/${id}`), client.get(`/v1/events/${id}/runs`)]);
      const statuses = (runs.json?.data ?? []).map((r) => `${r.run_id ?? "?"} ${r.status}${r.error ? ` (${JSON.stringify(r.error).slice(0, 300)})` : ""}`);
      parts.push(`event ${id} ${event.json?.data?.status ?? event.status}, runs: ${statuses.join(", ") || "none"}`);
    } catch (error) {
      parts.push(`event ${id}: lookup failed (${error.message})`);
    }
  }
  return parts.join("; ");
}

/**
 * With BENCH_SAMPLES=<dir> set, write a section's raw samples (the app's timestamps) to
 * `<dir>/<name>.json`, for looking into a figure after the run. Off by default.
 */
export function saveSamples(name, data) {
  const dir = process.env.BENCH_SAMPLES;
  if (dir) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(data));
}
