import { ROUTE_PAIRS_PER_BATCH, ROUTE_START_CONCURRENCY } from "../constants";
import type { Env } from "../env";
import { matchesExpression } from "../expressions";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { enqueueMessages, messageFor } from "../ingest/enqueue";
import type { RoutedEvent } from "../ingest/routed-event";
import { isCronTrigger, triggersOf } from "../sync/function-config";
import { listFunctions, type StoredFunction } from "../sync/store";
import { eventNameMatches } from "../triggers/event-name";
import { mapLimit } from "../util/map-limit";
import { resumePausedRuns } from "../waits/deliver";
import { findDuplicateEvents } from "./idempotency";
import { routePair } from "../flow-control/route-pair";
import type { AdmittedRun } from "./admit";

/** Whether any of the function's event triggers matches the event (name, then expression). */
export function functionMatches(fn: StoredFunction, event: StoredEvent): boolean {
  return triggersOf(fn.config).some((trigger) => {
    if (isCronTrigger(trigger) || !eventNameMatches(trigger.event, event.name)) return false;
    return !trigger.expression || matchesExpression(trigger.expression, { event: toSdkEvent(event) });
  });
}

/** The functions one event starts: its target alone when it has one, else every match. */
function functionsFor(item: RoutedEvent, functions: StoredFunction[]): StoredFunction[] {
  if (item.target !== undefined) return functions.filter((fn) => fn.id === item.target);
  return functions.filter((fn) => functionMatches(fn, item.event));
}

/**
 * Routes stored events to the functions they trigger: one run per (event, function), whose id
 * is derived from both, so a redelivered event starts nothing twice. Events whose user-given id
 * was already used within 24 h start nothing; events dated in the future start their runs then.
 * Marks the events routed when done.
 *
 * One batch routes at most ROUTE_PAIRS_PER_BATCH (event, function) pairs, whole events at a
 * time, so its Durable Object calls stay within the platform's subrequest limit; the events past
 * that go back on the Queue, unrouted, for the next batches (the first event is always routed).
 */
export async function routeEvents(env: Env, all: RoutedEvent[], now: number): Promise<void> {
  if (all.length === 0) return;
  const functions = await listFunctions(env.DB);
  const { items, deferred } = withinPairBudget(all, functions);
  const events = items.map((item) => item.event);
  // Only senders' ids deduplicate; server-emitted (targeted) events are made idempotent by their
  // own keys, and two functions' cron ticks at the same time share an id without being duplicates.
  const untargeted = items.filter((item) => item.target === undefined).map((item) => item.event);
  const duplicates = await findDuplicateEvents(env.DB, untargeted, now);
  const pairs = items
    .filter(({ event }) => !duplicates.has(event.internalId))
    .flatMap((item) => functionsFor(item, functions).map((fn) => ({ event: item.event, fn })));

  const [outcomes] = await Promise.all([
    mapLimit(pairs, ROUTE_START_CONCURRENCY, async ({ event, fn }) => ({ event, fn, outcome: await routePair(env, event, fn, now) })),
    resumePausedRuns(env, events.filter((e) => !duplicates.has(e.internalId)), now),
  ]);
  const admitted = outcomes.flatMap(({ outcome }) => (outcome.started ? [outcome.run] : []));
  const skipped = outcomes.flatMap(({ event, fn, outcome }) =>
    !outcome.started && outcome.reason !== "buffered" ? [{ eventId: event.internalId, functionId: fn.id, reason: outcome.reason }] : [],
  );
  await env.DB.batch([
    recordQueuedRuns(env.DB, admitted, now),
    recordSkippedRuns(env.DB, skipped, now),
    markEvents(env.DB, events.filter((e) => !duplicates.has(e.internalId)), "routed", now),
    markEvents(env.DB, events.filter((e) => duplicates.has(e.internalId)), "duplicate", now),
  ]);
  if (deferred.length > 0) await enqueueMessages(env.EVENTS, deferred.map(messageFor));
}

/** Splits events into those whose pairs fit ROUTE_PAIRS_PER_BATCH (at least one) and the rest. */
function withinPairBudget(all: RoutedEvent[], functions: StoredFunction[]): { items: RoutedEvent[]; deferred: RoutedEvent[] } {
  let pairs = 0;
  let taken = 0;
  for (const item of all) {
    const more = functionsFor(item, functions).length;
    if (taken > 0 && pairs + more > ROUTE_PAIRS_PER_BATCH) break;
    pairs += more;
    taken++;
  }
  return { items: all.slice(0, taken), deferred: all.slice(taken) };
}

/** Adds `queued` history rows for admitted runs; the runs' own updates may already be there. */
export function recordQueuedRuns(db: D1Database, runs: AdmittedRun[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO runs (id, function_id, app_id, event_id, status, queued_at, updated_at)
       SELECT value ->> '$.runId', value ->> '$.functionId', value ->> '$.appId', value ->> '$.eventId', 'queued', ?2, ?2
       FROM json_each(?1)`,
    )
    .bind(JSON.stringify(runs), now);
}

/** Keeps the runs flow control skipped, so history shows why an event started nothing. */
function recordSkippedRuns(db: D1Database, skips: { eventId: string; functionId: string; reason: string }[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO skipped_runs (event_id, function_id, reason, created_at)
       SELECT value ->> '$.eventId', value ->> '$.functionId', value ->> '$.reason', ?2 FROM json_each(?1)`,
    )
    .bind(JSON.stringify(skips), now);
}

function markEvents(db: D1Database, events: StoredEvent[], status: "routed" | "duplicate", now: number): D1PreparedStatement {
  return db
    .prepare("UPDATE events SET status = ?1, routed_at = ?2 WHERE internal_id IN (SELECT value FROM json_each(?3))")
    .bind(status, now, JSON.stringify(events.map((e) => e.internalId)));
}
