/**
 * The events Queue consumer: matching stored events to synced functions, one run (and one
 * RunObject) per (event, function) however often a batch is delivered, event idempotency, and
 * event references read back from their shard.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { messageFor } from "../../src/ingest/enqueue";
import { toSdkEvent, type StoredEvent } from "../../src/ingest/event";
import { eventShardOf } from "../../src/ingest/event-shard-key";
import { storeInShards } from "../../src/ingest/event-shards";
import type { QueueMessage } from "../../src/ingest/queue-message";
import { routeEvents } from "../../src/routing/route-events";
import { runIdFor } from "../../src/runs/run-id";
import type { FunctionConfig } from "../../src/sync/function-config";
import { listFunctions, saveApp } from "../../src/sync/store";
import { installFetchRouter } from "./helpers/app-fetch";
import { rows, type EventRow, type RunHistoryRow } from "./helpers/d1";
import { historyWritten } from "./helpers/event-shards";
import { alarmOf, objectRows, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { routedHistoryWritten, watchHistoryQueue } from "./helpers/history-queue";

const APP_ID = "route-app";
const APP_URL = "http://app.test/api/inngest";
/** Events are dated an hour ahead, so their runs wait (queued) instead of calling the app. */
const LATER = Date.now() + 60 * 60 * 1000;

function fn(slug: string, triggers: FunctionConfig["triggers"]): FunctionConfig {
  const id = `${APP_ID}-${slug}`;
  return {
    id,
    name: slug,
    triggers,
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
  } as FunctionConfig;
}

const FN = {
  plain: `${APP_ID}-plain`,
  filtered: `${APP_ID}-filtered`,
  wildcard: `${APP_ID}-wildcard`,
  other: `${APP_ID}-other`,
};

beforeAll(async () => {
  watchHistoryQueue();
  // Should any run come due, the app answers as an SDK that finished the function.
  installFetchRouter().route("http://app.test", () => new Response('"done"', { status: 200, headers: { "x-inngest-sdk": "js:v4.24.0" } }));
  await saveApp(
    env.DB,
    { id: APP_ID, url: APP_URL },
    [
      fn("plain", [{ event: "x/a" }]),
      fn("filtered", [{ event: "x/a", expression: "event.data.n > 1" }]),
      fn("wildcard", [{ event: "x/*" }]),
      fn("other", [{ event: "y/other" }]),
    ],
    Date.now(),
  );
});

afterAll(async () => {
  // Runs of this file are armed for LATER; nothing may fire after it.
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

/** A stored event dated LATER, with a fresh internal id. */
function makeEvent(name: string, data: Record<string, unknown> = {}, id?: string): StoredEvent {
  const internalId = ulid();
  return { name, data, ts: LATER, user: {}, internalId, id: id ?? internalId };
}

/** Stores events in their shards as the event API does; returns those it would enqueue (not duplicates). */
async function store(...events: StoredEvent[]): Promise<StoredEvent[]> {
  return (
    await storeInShards(
      env,
      events.map((event) => ({ event })),
      Date.now(),
    )
  ).map((item) => item.event);
}

/** Delivers one batch to the Worker's queue handler and returns what it acknowledged. */
async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch<unknown>(
    "stepflare-events",
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  // Called as the runtime calls it, whatever arity the handler declares.
  await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

/** Every message of the batch was acknowledged, each on its own, and none retried. */
function expectAllAcked(result: Awaited<ReturnType<typeof deliver>>, count: number): void {
  expect(result.retryBatch.retry).toBe(false);
  expect(result.retryMessages).toEqual([]);
  expect([...result.explicitAcks].sort()).toEqual(Array.from({ length: count }, (_, i) => `msg-${i}`).sort());
}

const inline = (event: StoredEvent, target?: string): QueueMessage => ({ kind: "event", event, ...(target ? { target } : {}) });

async function runsOf(eventId: string): Promise<RunHistoryRow[]> {
  await routedHistoryWritten();
  return rows<RunHistoryRow>("SELECT * FROM runs WHERE event_id = ? ORDER BY function_id", eventId);
}

/** The event's D1 history row, once its shard has written its current state. */
async function eventRow(internalId: string): Promise<EventRow | undefined> {
  await historyWritten([internalId]);
  return (await rows<EventRow>("SELECT * FROM events WHERE internal_id = ?", internalId))[0];
}

describe("routing events to functions", () => {
  it("starts one run per matching function, each in its own RunObject", async () => {
    const match = makeEvent("x/a", { n: 2 });
    const unfiltered = makeEvent("x/a", { n: 0 });
    await store(match, unfiltered);
    const result = await deliver([inline(match), inline(unfiltered)]);
    expectAllAcked(result, 2);

    const runs = await runsOf(match.internalId);
    expect(runs.map((r) => r.function_id)).toEqual([FN.filtered, FN.plain, FN.wildcard]);
    // The expression filters: n = 0 does not start the filtered function.
    expect((await runsOf(unfiltered.internalId)).map((r) => r.function_id)).toEqual([FN.plain, FN.wildcard]);

    for (const run of runs) {
      expect(run.id).toBe(await runIdFor(match.internalId, run.function_id));
      expect(run).toMatchObject({ app_id: APP_ID, status: "queued" });
      const row = await runStub(run.id).status();
      expect(row).toMatchObject({ id: run.id, function_id: run.function_id, event_id: match.internalId, app_id: APP_ID, status: "queued" });
      expect(row!.step_url).toBe(`${APP_URL}?fnId=${run.function_id}&stepId=step`);
      // Dated in the future, the run starts then.
      await waitFor(`run ${run.id}'s alarm to be set for the event's time`, async () => ((await alarmOf(run.id)) === LATER ? true : undefined));
    }
    expect(await eventRow(match.internalId)).toMatchObject({ status: "routed" });
    expect(await eventRow(unfiltered.internalId)).toMatchObject({ status: "routed" });
  });

  it("starts nothing twice when the same batch is delivered again", async () => {
    const event = makeEvent("x/a", { n: 5 });
    await store(event);
    // Delivered twice within one batch, then the batch again.
    await deliver([inline(event), inline(event)]);
    // `updated_at` moves when a run copies its own state to D1; the rest names the run's creation.
    const created = async () => (await runsOf(event.internalId)).map(({ id, function_id, queued_at }) => ({ id, function_id, queued_at }));
    const first = await created();
    expect(first).toHaveLength(3);
    const objects = await Promise.all(first.map((r) => runStub(r.id).status()));
    await deliver([inline(event), inline(event)]);

    // Routed once more, later: the runs keep the time they were first queued at.
    const now = Date.now() + 10_000;
    await routeEvents(env, [{ event }], await listFunctions(env.DB), now);
    expect(await created()).toEqual(first);
    expect(await Promise.all(first.map((r) => runStub(r.id).status()))).toEqual(objects);
    expect(await rows("SELECT id FROM runs WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(first.map((r) => r.id)))).toHaveLength(3);
  });

  it("routes an event with a target to that function alone", async () => {
    const event = makeEvent("x/a", { n: 9 });
    await storeInShards(env, [{ event, target: FN.other }], Date.now());
    await deliver([inline(event, FN.other)]);
    expect((await runsOf(event.internalId)).map((r) => r.function_id)).toEqual([FN.other]);
  });

  it("drops a malformed message and routes the rest of the batch", async () => {
    const event = makeEvent("y/other");
    await store(event);
    const result = await deliver([{ kind: "bogus" }, { kind: "event", event: { name: "no ids" } }, inline(event)]);
    expectAllAcked(result, 3);
    expect((await runsOf(event.internalId)).map((r) => r.function_id)).toEqual([FN.other]);
  });
});

describe("event idempotency (a sender's event id)", () => {
  it("marks a later event with a claimed id duplicate and starts nothing for it", async () => {
    const original = makeEvent("x/a", { n: 0 }, "order-42");
    const repeat = makeEvent("x/a", { n: 0 }, "order-42");
    expect(await store(original)).toEqual([original]);
    // The shard settles the repeat as a duplicate when it is accepted: it is never enqueued.
    expect(await store(repeat)).toEqual([]);
    await deliver([inline(original)]);

    expect(await runsOf(original.internalId)).toHaveLength(2);
    expect(await eventRow(original.internalId)).toMatchObject({ status: "routed" });
    expect(await runsOf(repeat.internalId)).toEqual([]);
    expect(await eventRow(repeat.internalId)).toMatchObject({ status: "duplicate" });
    expect(await runStub(await runIdFor(repeat.internalId, FN.plain)).status()).toBeNull();

    // A retried send of the original is no duplicate of itself, and redelivering it starts nothing new.
    expect(await store(original)).toEqual([]);
    await deliver([inline(original)]);
    expect(await eventRow(original.internalId)).toMatchObject({ status: "routed" });
    expect(await runsOf(original.internalId)).toHaveLength(2);
  });

  it("lets the first of two events with one id in a batch claim it", async () => {
    const first = makeEvent("y/other", {}, "order-43");
    const second = makeEvent("y/other", {}, "order-43");
    expect(await store(first, second)).toEqual([first]);
    await deliver([inline(first)]);
    expect((await runsOf(first.internalId)).map((r) => r.function_id)).toEqual([FN.other]);
    expect(await runsOf(second.internalId)).toEqual([]);
    expect(await eventRow(second.internalId)).toMatchObject({ status: "duplicate" });
  });
});

describe("events sent by reference", () => {
  it("loads an event too large for a Queue message from its shard", async () => {
    const event = makeEvent("y/other", { blob: "z".repeat(150_000) });
    const message = messageFor({ event });
    expect(message.body).toEqual({ kind: "event_ref", internalId: event.internalId, shard: eventShardOf(event) });
    await store(event);
    await deliver([message.body]);

    const [run] = await runsOf(event.internalId);
    expect(run).toMatchObject({ function_id: FN.other, status: "queued" });
    // The run received the whole event, read back from its row.
    const chunks = await objectRows<{ data: string }>(run!.id, "SELECT data FROM blobs WHERE key = 'events' ORDER BY chunk");
    expect(JSON.parse(chunks.map((c) => c.data).join(""))).toEqual([toSdkEvent(event)]);
  });

  it("acknowledges a reference to an event that is not stored, starting nothing", async () => {
    const missing = ulid();
    expectAllAcked(
      await deliver([
        { kind: "event_ref", internalId: missing, shard: eventShardOf({ internalId: missing }) },
        { kind: "event_ref", internalId: missing },
      ]),
      2,
    );
    expect(await runsOf(missing)).toEqual([]);
  });

  it("reads an event its shard no longer holds from D1 history", async () => {
    const event = makeEvent("y/other", { blob: "h".repeat(150_000) });
    await store(event);
    await historyWritten([event.internalId]);
    await runInDurableObject(env.EVENT_SHARDS.getByName(`events-${eventShardOf(event)}`), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM events WHERE internal_id = ?", event.internalId);
    });
    expectAllAcked(await deliver([messageFor({ event }).body]), 1);
    expect((await runsOf(event.internalId)).map((r) => r.function_id)).toEqual([FN.other]);
    // Its shard no longer holds it, so the routed mark went to D1 history.
    expect(await eventRow(event.internalId)).toMatchObject({ status: "routed" });
  });
});
