import {
  EVENT_FAILURE_REASON_MAX_BYTES,
  EVENT_SHARD_COUNT,
  QUEUE_MAX_ATTEMPTS,
  QUEUE_MAX_RETRY_DELAY_SECONDS,
  QUEUE_RETRY_DELAY_SECONDS,
  ROUTE_PAIRS_PER_BATCH,
} from "../constants";
import { z } from "zod";
import type { Env } from "../env";
import { phaseClock, recordPhase } from "../metering/phase-timing";
import { enqueueMessages, messageFor } from "../ingest/enqueue";
import type { RoutedEvent } from "../ingest/routed-event";
import { loadReferencedEvents, markInShards, shardOfMessage } from "../ingest/event-shards";
import { eventShardOf } from "../ingest/event-shard-key";
import { queueMessageSchema, type QueueMessage } from "../ingest/queue-message";
import { routingView, type RoutingView } from "../sync/registry";
import type { StoredFunction } from "../sync/store";
import { splitUtf8 } from "../util/utf8";
import { routeEvents, runsStartedBy } from "./route-events";

/** A message that parsed. */
interface Delivery {
  message: Message<unknown>;
  body: QueueMessage;
}

/** A message with the event it carries, ready to route. */
interface Routable extends Delivery {
  item: RoutedEvent;
}

/**
 * The events Queue consumer. Each message is acknowledged or retried on its own: one event that
 * cannot be routed never holds up or redelivers the others (routing is idempotent per (event,
 * function), so a retried message starts nothing twice). A message that still fails after
 * QUEUE_MAX_ATTEMPTS deliveries marks its event `failed` with the reason and is acknowledged.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const now = Date.now();
  const clock = phaseClock(env, "routing");
  if (clock) for (const message of batch.messages) recordPhase("routing.queue_wait", now - message.timestamp.getTime());
  const deliveries: Delivery[] = [];
  for (const message of batch.messages) {
    const parsed = queueMessageSchema.safeParse(message.body);
    if (parsed.success) deliveries.push({ message, body: parsed.data });
    else await dropMalformed(env, message, z.prettifyError(parsed.error), now);
  }
  if (deliveries.length === 0) return;

  let loaded: { routable: Routable[]; unroutable: { delivery: Delivery; error: string | null }[] };
  let view: RoutingView;
  try {
    clock?.lap("parse");
    // Names of events carried by reference are not known yet: they are not asked, so looked up.
    const names = deliveries.flatMap((d) => (d.body.kind === "event" ? [d.body.event.name] : []));
    [loaded, view] = await Promise.all([resolveEvents(env, deliveries), routingView(env, names, now)]);
    clock?.lap("load");
  } catch (err) {
    // Reading the events or the functions failed: nothing could be routed, so every message is tried again later.
    for (const d of deliveries) await retryOrFail(env, d, err, now);
    return;
  }
  for (const { delivery, error } of loaded.unroutable) await settleUnroutable(env, delivery, error, now);
  const { taken, deferred } = withinRunBudget(loaded.routable, view.functions);
  await deferToQueue(env, deferred, now);
  await routeAndSettle(env, taken, view.functions, now, view.quiet);
  clock?.lap("route");
  clock?.total("batch");
}

/**
 * Splits the batch so that at most ROUTE_PAIRS_PER_BATCH runs are started by this invocation
 * (whole messages, at least one), keeping its Durable Object calls within the platform's
 * subrequest limit; the rest wait for a later batch.
 */
function withinRunBudget(routable: Routable[], functions: StoredFunction[]): { taken: Routable[]; deferred: Routable[] } {
  let runs = 0;
  let count = 0;
  for (const d of routable) {
    const more = runsStartedBy(d.item, functions);
    if (count > 0 && runs + more > ROUTE_PAIRS_PER_BATCH) break;
    runs += more;
    count++;
  }
  return { taken: routable.slice(0, count), deferred: routable.slice(count) };
}

/**
 * Sends deferred messages back to the Queue as new messages and acknowledges them, so waiting
 * for room does not count as a failed delivery; if sending fails they are retried instead.
 */
async function deferToQueue(env: Env, deferred: Routable[], now: number): Promise<void> {
  if (deferred.length === 0) return;
  try {
    await enqueueMessages(
      env.EVENTS,
      deferred.map((d) => messageFor(d.item)),
    );
    for (const d of deferred) d.message.ack();
  } catch (err) {
    for (const d of deferred) await retryOrFail(env, d, err, now);
  }
}

/**
 * Routes the messages together; if that fails as a whole, routes each alone, so a message that
 * breaks shared work (a poison event) is retried by itself and the rest are acknowledged.
 */
async function routeAndSettle(env: Env, routable: Routable[], functions: StoredFunction[], now: number, quiet: ReadonlySet<string>): Promise<void> {
  let failures: Map<number, unknown>;
  try {
    failures = await routeEvents(
      env,
      routable.map((d) => d.item),
      functions,
      now,
      quiet,
    );
  } catch (err) {
    if (routable.length === 1) {
      await retryOrFail(env, routable[0]!, err, now);
      return;
    }
    for (const d of routable) await routeAndSettle(env, [d], functions, now, quiet);
    return;
  }
  for (const [index, d] of routable.entries()) {
    const failure = failures.get(index);
    if (failure === undefined) d.message.ack();
    else await retryOrFail(env, d, failure, now);
  }
}

/**
 * Attaches each delivery's event: inline ones as they are, references read from their shard. The rest
 * cannot be routed: a reference to an event that is not stored (`error` null), or to a row that
 * no longer parses (`error` says why).
 */
async function resolveEvents(env: Env, deliveries: Delivery[]) {
  const refs = deliveries.flatMap((d) => (d.body.kind === "event_ref" ? [{ internalId: d.body.internalId, shard: d.body.shard }] : []));
  const loaded = await loadReferencedEvents(env, refs);
  const found = new Map(loaded.found.map((item) => [item.event.internalId, item]));
  const invalid = new Map(loaded.invalid.map((i) => [i.internalId, i.error]));
  const routable: Routable[] = [];
  const unroutable: { delivery: Delivery; error: string | null }[] = [];
  for (const d of deliveries) {
    const part = {
      ...(d.body.functions === undefined ? {} : { functions: d.body.functions }),
      ...(d.body.waitsOnly ? { waitsOnly: d.body.waitsOnly } : {}),
    };
    const stored = d.body.kind === "event" ? { event: d.body.event, target: d.body.target } : found.get(d.body.internalId);
    if (stored) routable.push({ ...d, item: { ...stored, ...part } });
    else unroutable.push({ delivery: d, error: d.body.kind === "event_ref" ? (invalid.get(d.body.internalId) ?? null) : null });
  }
  return { routable, unroutable };
}

/**
 * Settles a message whose event cannot be loaded: a missing event has nothing to route and is
 * logged; an event whose row no longer parses is marked `failed`, which retrying cannot change.
 */
async function settleUnroutable(env: Env, d: Delivery, error: string | null, now: number): Promise<void> {
  const internalId = eventIdOf(d.body);
  if (error === null) {
    console.warn(`stepflare: queue message ${d.message.id} refers to event ${internalId}, which is not stored; nothing to route`);
    d.message.ack();
    return;
  }
  console.error(`stepflare: event ${internalId} cannot be routed: ${error}`);
  try {
    await markInShards(env, [{ internalId, shard: shardOfMessage(d.body), status: "failed", error: cut(error) }], now);
    d.message.ack();
  } catch (err) {
    await retryOrFail(env, d, err, now);
  }
}

/** The internal id of the event a message is about. */
function eventIdOf(body: QueueMessage): string {
  return body.kind === "event" ? body.event.internalId : body.internalId;
}

/**
 * Retries a message that failed, later each time, or, once it has been delivered
 * QUEUE_MAX_ATTEMPTS times, marks its event `failed` with the reason and acknowledges it.
 */
async function retryOrFail(env: Env, d: Delivery, err: unknown, now: number): Promise<void> {
  const internalId = eventIdOf(d.body);
  const reason = describe(err);
  if (d.message.attempts < QUEUE_MAX_ATTEMPTS) {
    console.warn(`stepflare: routing event ${internalId} failed (attempt ${d.message.attempts}); retrying: ${reason}`);
    const delaySeconds = Math.min(QUEUE_RETRY_DELAY_SECONDS * d.message.attempts, QUEUE_MAX_RETRY_DELAY_SECONDS);
    d.message.retry({ delaySeconds });
    return;
  }
  const part = d.body.functions === undefined ? "" : ` (starting ${d.body.functions.join(", ")})`;
  const message = cut(`routing failed after ${d.message.attempts} attempts${part}: ${reason}`);
  console.error(`stepflare: event ${internalId}: ${message}`);
  try {
    await markInShards(env, [{ internalId, shard: shardOfMessage(d.body), status: "failed", error: message }], now);
    d.message.ack();
  } catch (markErr) {
    // The mark could not be stored: leave the message to the Queue, which retries it once more
    // and then moves it to the dead-letter queue.
    console.error(`stepflare: could not mark event ${internalId} failed`, markErr);
    d.message.retry({ delaySeconds: QUEUE_MAX_RETRY_DELAY_SECONDS });
  }
}

/**
 * A message that is not one stepflare writes cannot be routed by retrying. It is logged, and
 * when it names a stored event that is still pending, that event is marked `failed` so the loss
 * is visible there too.
 */
async function dropMalformed(env: Env, message: Message<unknown>, problem: string, now: number): Promise<void> {
  console.error("stepflare: malformed queue message", message.id, problem);
  const named = referencedEvent(message.body);
  if (named !== undefined) {
    const { internalId, shard } = named;
    try {
      const mark = { internalId, shard, status: "failed" as const, error: cut(`its queue message was malformed: ${problem}`), onlyPending: true };
      await markInShards(env, [mark], now);
    } catch (err) {
      console.error(`stepflare: could not mark event ${internalId} failed`, err);
    }
  }
  message.ack();
}

/** The event a malformed message seems to be about, if any, and its shard when the message says or implies it. */
function referencedEvent(body: unknown): { internalId: string; shard: number | undefined } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { internalId, shard, event, target } = body as {
    internalId?: unknown;
    shard?: unknown;
    event?: { internalId?: unknown; id?: unknown };
    target?: unknown;
  };
  if (typeof internalId === "string") {
    return { internalId, shard: typeof shard === "number" && Number.isInteger(shard) && shard >= 0 && shard < EVENT_SHARD_COUNT ? shard : undefined };
  }
  const nested = typeof event === "object" && event !== null ? event.internalId : undefined;
  if (typeof nested !== "string") return undefined;
  return { internalId: nested, shard: eventShardOf({ internalId: nested, id: event!.id ?? nested, target }) };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Failure reasons are kept short: they are shown in lists and stored in the event row. */
function cut(text: string): string {
  const [kept = ""] = splitUtf8(text, EVENT_FAILURE_REASON_MAX_BYTES - 3);
  return kept.length === text.length ? text : `${kept}…`;
}
