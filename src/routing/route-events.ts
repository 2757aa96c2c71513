import { ROUTE_FANOUT_PER_MESSAGE, ROUTE_START_CONCURRENCY, WAIT_RESUMES_PER_BATCH } from "../constants";
import type { Env } from "../env";
import { matchesExpression } from "../expressions/index";
import { timePhase } from "../metering/phase-timing";
import { toSdkEvent, type StoredEvent } from "../ingest/event";
import { enqueueMessages, messageFor } from "../ingest/enqueue";
import { markInShards, shardOfItem } from "../ingest/event-shards";
import type { RoutedEvent } from "../ingest/routed-event";
import { isCronTrigger, triggersOf } from "../sync/function-config";
import type { StoredFunction } from "../sync/store";
import { eventNameMatches } from "./event-name";
import { mapLimit } from "../util/map-limit";
import { resumePausedRuns } from "./resume-waits";
import { routePair } from "./route-pair";
import { chainSkipReason } from "./chain-guard";
import { recordRoutedRuns, type SkippedRun } from "../history/record-runs";

/** Whether any of the function's event triggers matches the event (name, then expression). */
export function functionMatches(fn: StoredFunction, event: StoredEvent): boolean {
  return triggersOf(fn.config).some((trigger) => {
    if (isCronTrigger(trigger) || !eventNameMatches(trigger.event, event.name)) return false;
    return !trigger.expression || matchesExpression(trigger.expression, { event: toSdkEvent(event) });
  });
}

/** The functions one event starts: its part's or target's alone when it has them, else every match. */
function functionsFor(item: RoutedEvent, functions: StoredFunction[]): StoredFunction[] {
  if (item.waitsOnly) return [];
  if (item.functions !== undefined) return functions.filter((fn) => item.functions!.includes(fn.id));
  if (item.target !== undefined) return functions.filter((fn) => fn.id === item.target);
  return functions.filter((fn) => functionMatches(fn, item.event));
}

/** How many runs routing this item starts itself: its functions, at most ROUTE_FANOUT_PER_MESSAGE. */
export function runsStartedBy(item: RoutedEvent, functions: StoredFunction[]): number {
  return Math.min(functionsFor(item, functions).length, ROUTE_FANOUT_PER_MESSAGE);
}

/** A whole (not a part): it is delivered to waits and marked when routed. */
function isWhole(item: RoutedEvent): boolean {
  return item.functions === undefined && !item.waitsOnly;
}

/** Whether routing this item delivers its event to waiting runs: a whole, or a waits-only follow-up. */
function deliversToWaits(item: RoutedEvent): boolean {
  return isWhole(item) || item.waitsOnly === true;
}

/**
 * Routes stored events to the functions they trigger: one run per (event, function), whose id
 * is derived from both, so a redelivered event starts nothing twice. Events dated in the future
 * start their runs then. (An event whose user-given id was used within 24 h never gets here: its
 * shard stored it as a duplicate.)
 *
 * An event that matches more than ROUTE_FANOUT_PER_MESSAGE functions starts the first of them
 * here and is split into parts (Queue messages naming the rest, that many per message), so one
 * message carries a bounded amount of work however many functions an event triggers.
 *
 * Events whose name is in `quiet` (no run waits for it, src/waits/waited-names.ts) skip the
 * wait-index lookup.
 *
 * Returns the error of each item that could not be routed, by index; the others are done and
 * marked in their shards. Throws only when something every item depends on fails (recording
 * history, marking the events).
 */
export async function routeEvents(
  env: Env,
  items: RoutedEvent[],
  functions: StoredFunction[],
  now: number,
  quiet: ReadonlySet<string> = new Set(),
): Promise<Map<number, unknown>> {
  const failures = new Map<number, unknown>();
  if (items.length === 0) return failures;
  // Duplicates of a sender's id never get here: their event shard settles them at acceptance.
  const live = items.map((item, index) => ({ item, index }));

  const routes = live.map(({ item, index }) => ({ item, index, matched: functionsFor(item, functions) }));
  const matchedPairs = routes.flatMap(({ item, index, matched }) =>
    matched.slice(0, ROUTE_FANOUT_PER_MESSAGE).map((fn) => ({ index, event: item.event, fn, guard: chainSkipReason(item.event, fn) })),
  );
  const pairs = matchedPairs.filter((pair) => pair.guard === null);
  const guarded = matchedPairs.flatMap(({ event, fn, guard }) => (guard === null ? [] : [{ eventId: event.internalId, functionId: fn.id, reason: guard }]));
  const parts = routes.flatMap(({ item, index, matched }) => splitParts(item, matched).map((part) => ({ index, part })));

  const waiting = uniqueByEvent(
    live.filter(({ item }) => deliversToWaits(item) && !quiet.has(item.event.name)).map(({ item }) => item.event),
    (e) => e,
  );
  const [outcomes, waits] = await Promise.all([
    mapLimit(pairs, ROUTE_START_CONCURRENCY, async ({ index, event, fn }) => {
      try {
        return { event, fn, outcome: await timePhase(env, "routing.start_run", () => routePair(env, event, fn, now)) };
      } catch (err) {
        failures.set(index, err);
        return null;
      }
    }),
    timePhase(env, "routing.waits", () => resumePausedRuns(env, waiting, now, WAIT_RESUMES_PER_BATCH)),
    enqueueParts(env, parts, failures),
  ]);
  for (const { item, index } of live) {
    const failure = deliversToWaits(item) ? waits.failures.get(item.event.internalId) : undefined;
    if (failure !== undefined && !failures.has(index)) failures.set(index, failure);
  }
  // Runs past the budget get the event from a follow-up message, routed by a later batch.
  const followUps = live.flatMap(({ item, index }) =>
    deliversToWaits(item) && waits.unfinished.delete(item.event.internalId)
      ? [{ index, part: { event: item.event, waitsOnly: true } satisfies RoutedEvent }]
      : [],
  );
  await enqueueParts(env, followUps, failures);

  const done = outcomes.flatMap((o) => (o === null ? [] : [o]));
  const admitted = done.flatMap(({ outcome }) => (outcome.started ? [outcome.run] : []));
  const skipped: SkippedRun[] = [
    ...guarded,
    ...done.flatMap(({ event, fn, outcome }) =>
      !outcome.started && outcome.reason !== "buffered" ? [{ eventId: event.internalId, functionId: fn.id, reason: outcome.reason }] : [],
    ),
  ];
  const routed = uniqueByEvent(
    items.filter((item, index) => isWhole(item) && !failures.has(index)),
    (item) => item.event,
  );
  await Promise.all([
    timePhase(env, "routing.history", () => recordRoutedRuns(env.HISTORY, admitted, skipped, now)),
    timePhase(env, "routing.mark", () =>
      markInShards(
        env,
        routed.map((item) => ({ internalId: item.event.internalId, shard: shardOfItem(item), status: "routed" })),
        now,
      ),
    ),
  ]);
  return failures;
}

/** The parts an event is split into beyond the functions it starts itself (a part has none). */
function splitParts(item: RoutedEvent, matched: StoredFunction[]): RoutedEvent[] {
  if (!isWhole(item)) return [];
  const rest = matched.slice(ROUTE_FANOUT_PER_MESSAGE).map((fn) => fn.id);
  const parts: RoutedEvent[] = [];
  for (let i = 0; i < rest.length; i += ROUTE_FANOUT_PER_MESSAGE) {
    parts.push({ event: item.event, functions: rest.slice(i, i + ROUTE_FANOUT_PER_MESSAGE) });
  }
  return parts;
}

/** Sends each item's parts; an item whose parts could not be sent fails (and is retried whole). */
async function enqueueParts(env: Env, parts: { index: number; part: RoutedEvent }[], failures: Map<number, unknown>): Promise<void> {
  const byItem = new Map<number, RoutedEvent[]>();
  for (const { index, part } of parts) byItem.set(index, [...(byItem.get(index) ?? []), part]);
  await Promise.all(
    [...byItem].map(async ([index, itemParts]) => {
      try {
        await enqueueMessages(env.EVENTS, itemParts.map(messageFor));
      } catch (err) {
        failures.set(index, err);
      }
    }),
  );
}

/** Each event once (by internal id), for work that is per event rather than per message. */
function uniqueByEvent<T>(items: T[], eventOf: (item: T) => StoredEvent): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(eventOf(item).internalId) && seen.add(eventOf(item).internalId));
}
