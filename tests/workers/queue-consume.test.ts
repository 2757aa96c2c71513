/**
 * The events Queue consumer message by message: each message acknowledged or retried on its own,
 * a poison event next to good ones, the `failed` state after the last attempt (in its shard, D1,
 * the REST API and the dashboard's stream, and never re-driven), malformed messages, and an event that
 * matches more functions than one message may start being split into bounded parts.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { QUEUE_MAX_ATTEMPTS, QUEUE_RETRY_DELAY_SECONDS, ROUTE_FANOUT_PER_MESSAGE } from "../../src/constants";
import type { StoredEvent } from "../../src/ingest/event";
import { eventShardOf } from "../../src/ingest/event-shard-key";
import { EventShardStore } from "../../src/ingest/event-shard-store";
import { storeInShards } from "../../src/ingest/event-shards";
import type { QueueMessage } from "../../src/ingest/queue-message";
import { runIdFor } from "../../src/runs/run-id";
import type { FunctionConfig } from "../../src/sync/function-config";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter } from "./helpers/app-fetch";
import { rows, type EventRow, type RunHistoryRow } from "./helpers/d1";
import { clearShardAlarms, historyWritten, shardStub } from "./helpers/event-shards";
import { waitFor } from "./helpers/wait";
import { routedHistoryWritten, watchHistoryQueue } from "./helpers/history-queue";
import { workerFetch } from "./helpers/worker";

const APP_ID = "queue-app";
const APP_URL = "http://queue-app.test/api/inngest";
/** Events are dated an hour ahead, so their runs wait (queued) instead of calling the app. */
const LATER = Date.now() + 60 * 60 * 1000;
/** More functions on one event than one message starts. */
const FANOUT = ROUTE_FANOUT_PER_MESSAGE * 2 + 3;

const BROKEN = `${APP_ID}-broken`;

function fn(slug: string, event: string): FunctionConfig {
  const id = `${APP_ID}-${slug}`;
  const url = `${APP_URL}?fnId=${id}&stepId=step`;
  return { id, name: slug, triggers: [{ event }], steps: { step: { id: "step", name: "step", runtime: { type: "http", url } } } } as FunctionConfig;
}

/**
 * Run ids whose RunObject refuses to start, as an overloaded or broken object does: routing an
 * event to BROKEN fails however often it is tried (a poison event). Everything else reaches the
 * real objects.
 */
const refused = new Set<string>();

async function poison(event: StoredEvent): Promise<StoredEvent> {
  refused.add(await runIdFor(event.internalId, BROKEN));
  return event;
}

beforeAll(async () => {
  watchHistoryQueue();
  const real = env.RUNS.getByName.bind(env.RUNS);
  vi.spyOn(env.RUNS, "getByName").mockImplementation((name, options) =>
    refused.has(name) ? ({ start: () => Promise.reject(new Error("Durable Object is overloaded")) } as never) : real(name, options),
  );
  installFetchRouter().route("http://queue-app.test", () => new Response('"done"', { status: 200, headers: { "x-inngest-sdk": "js:v4.24.0" } }));
  await saveApp(
    env.DB,
    { id: APP_ID, url: APP_URL },
    [fn("good", "q/good"), fn("broken", "q/poison"), ...Array.from({ length: FANOUT }, (_, i) => fn(`fan-${String(i).padStart(2, "0")}`, "q/fanout"))],
    Date.now(),
  );
});

afterAll(async () => {
  vi.restoreAllMocks();
  await clearShardAlarms();
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

function makeEvent(name: string): StoredEvent {
  const internalId = ulid();
  return { name, data: {}, ts: LATER, user: {}, internalId, id: internalId };
}

async function store(...events: StoredEvent[]): Promise<void> {
  await storeInShards(
    env,
    events.map((event) => ({ event })),
    Date.now(),
  );
}

const inline = (event: StoredEvent): QueueMessage => ({ kind: "event", event });

/** Delivers one batch to the Worker's queue handler, every message on its `attempts`th delivery. */
async function deliver(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch<unknown>(
    "stepflare-events",
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts, body })),
  );
  // The Queue's result lists retried messages without their delay; the spies keep it.
  const delays = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  const retryDelays = delays.flatMap((spy, i) => spy.mock.calls.map(([options]) => ({ msgId: `msg-${i}`, delaySeconds: options?.delaySeconds })));
  return { ...result, retryDelays };
}

/** The event's D1 history row, once its shard has written its current state. */
async function eventRow(internalId: string): Promise<EventRow | undefined> {
  await historyWritten([internalId]);
  return (await rows<EventRow>("SELECT * FROM events WHERE internal_id = ?", internalId))[0];
}

async function runsOf(eventId: string): Promise<RunHistoryRow[]> {
  await routedHistoryWritten();
  return rows<RunHistoryRow>("SELECT * FROM runs WHERE event_id = ? ORDER BY function_id", eventId);
}

describe("per-message acknowledgement", () => {
  it("acknowledges the good messages of a batch and retries only the poison one, with a delay", async () => {
    const [before, bad, after] = [makeEvent("q/good"), await poison(makeEvent("q/poison")), makeEvent("q/good")];
    await store(before, bad, after);
    const result = await deliver([inline(before), inline(bad), inline(after)]);

    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(false);
    expect([...result.explicitAcks].sort()).toEqual(["msg-0", "msg-2"]);
    expect(result.retryMessages).toEqual([{ msgId: "msg-1" }]);
    expect(result.retryDelays).toEqual([{ msgId: "msg-1", delaySeconds: QUEUE_RETRY_DELAY_SECONDS }]);
    for (const good of [before, after]) {
      expect(await eventRow(good.internalId)).toMatchObject({ status: "routed", error: null });
      expect((await runsOf(good.internalId)).map((r) => r.function_id)).toEqual([`${APP_ID}-good`]);
    }
    // Not routed, not failed yet: it will be delivered again.
    expect(await eventRow(bad.internalId)).toMatchObject({ status: "pending", error: null });
  });

  it("waits longer before each later retry", async () => {
    const bad = await poison(makeEvent("q/poison"));
    await store(bad);
    const result = await deliver([inline(bad)], 3);
    expect(result.retryMessages).toEqual([{ msgId: "msg-0" }]);
    expect(result.retryDelays).toEqual([{ msgId: "msg-0", delaySeconds: QUEUE_RETRY_DELAY_SECONDS * 3 }]);
  });
});

describe("an event that keeps failing", () => {
  it("ends failed at the last attempt, with the reason, visible in the APIs and never re-driven", async () => {
    const bad = await poison(makeEvent("q/poison"));
    const good = makeEvent("q/good");
    // Stored a minute ago, so its shard would consider the poison event for re-driving.
    await storeInShards(env, [{ event: bad }, { event: good }], Date.now() - 60_000);

    const result = await deliver([inline(bad), inline(good)], QUEUE_MAX_ATTEMPTS);
    expect([...result.explicitAcks].sort()).toEqual(["msg-0", "msg-1"]);
    expect(result.retryMessages).toEqual([]);

    const row = await eventRow(bad.internalId);
    expect(row?.status).toBe("failed");
    expect(row?.error).toContain(`routing failed after ${QUEUE_MAX_ATTEMPTS} attempts`);
    expect(await eventRow(good.internalId)).toMatchObject({ status: "routed" });

    const api = (await (await workerFetch(`/v1/events/${bad.internalId}`)).json()) as { data: { status: string; error: string } };
    expect(api.data.status).toBe("failed");
    expect(api.data.error).toBe(row?.error);
    const stream = (await (await workerFetch("/v0/events?name=q/poison")).json()) as { data: { internal_id: string; status: string; error?: string }[] };
    expect(stream.data.find((e) => e.internal_id === bad.internalId)).toMatchObject({ status: "failed", error: row?.error });
    // A routed event carries no error field.
    const routed = (await (await workerFetch(`/v1/events/${good.internalId}`)).json()) as { data: Record<string, unknown> };
    expect(routed.data).not.toHaveProperty("error");

    // Settled in its shard: nothing re-drives it.
    const due = await runInDurableObject(shardStub(eventShardOf(bad)), (_instance, state) =>
      new EventShardStore(state.storage).dueRedrives(Date.now() + 24 * 60 * 60 * 1000, 1_000).map((d) => d.internalId),
    );
    expect(due).not.toContain(bad.internalId);
  });

  it("stays failed when the same event is later delivered fine by another message", async () => {
    const bad = await poison(makeEvent("q/poison"));
    await store(bad);
    await deliver([inline(bad)], QUEUE_MAX_ATTEMPTS);
    const failed = await eventRow(bad.internalId);
    expect(failed?.status).toBe("failed");
    // A copy of the message with a fresh attempt count is retried, and the mark stays.
    const again = await deliver([inline(bad)]);
    expect(again.retryMessages).toHaveLength(1);
    expect(await eventRow(bad.internalId)).toEqual(failed);
  });
});

describe("malformed messages", () => {
  it("are acknowledged and logged, and fail the pending event they name", async () => {
    const named = makeEvent("q/good");
    const good = makeEvent("q/good");
    await store(named, good);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const result = await deliver([{ kind: "event_ref" }, { kind: "event", event: { internalId: named.internalId } }, inline(good), "junk"]);
      expect([...result.explicitAcks].sort()).toEqual(["msg-0", "msg-1", "msg-2", "msg-3"]);
      expect(errors.mock.calls.filter(([text]) => String(text).includes("malformed queue message"))).toHaveLength(3);
    } finally {
      errors.mockRestore();
    }
    const row = await eventRow(named.internalId);
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/^its queue message was malformed: /);
    expect(await eventRow(good.internalId)).toMatchObject({ status: "routed" });
  });

  it("leave an event that was already routed as it is", async () => {
    const event = makeEvent("q/good");
    await store(event);
    await deliver([inline(event)]);
    await deliver([{ kind: "event", event: { internalId: event.internalId } }]);
    expect(await eventRow(event.internalId)).toMatchObject({ status: "routed", error: null });
  });

  it("fail an event whose stored row no longer parses", async () => {
    const event = makeEvent("q/good");
    await store(event);
    await runInDurableObject(shardStub(eventShardOf(event)), (_instance, state) => {
      state.storage.sql.exec("UPDATE events SET event = '{\"name\":1}' WHERE internal_id = ?", event.internalId);
    });
    const result = await deliver([{ kind: "event_ref", internalId: event.internalId, shard: eventShardOf(event) }]);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    const row = await eventRow(event.internalId);
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/^stored event is invalid/);
  });
});

/** The fan-out tests wait for the real Queue to deliver parts, which is slow on a loaded machine. */
const FANOUT_TIMEOUT_MS = 60_000;

describe("fan-out", () => {
  it(
    `starts at most ${ROUTE_FANOUT_PER_MESSAGE} functions per message and sends the rest as bounded parts`,
    async () => {
      const event = makeEvent("q/fanout");
      await store(event);
      const fanIds = Array.from({ length: FANOUT }, (_, i) => `${APP_ID}-fan-${String(i).padStart(2, "0")}`);

      // The parts go to the real Queue (and its consumer); the spy only records them.
      const send = vi.spyOn(env.EVENTS, "sendBatch");
      let parts: QueueMessage[];
      try {
        const result = await deliver([inline(event)]);
        expect(result.explicitAcks).toEqual(["msg-0"]);
        parts = send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body));
      } finally {
        send.mockRestore();
      }
      expect(parts).toHaveLength(Math.ceil(FANOUT / ROUTE_FANOUT_PER_MESSAGE) - 1);
      for (const part of parts) {
        expect(part).toMatchObject({ kind: "event", event: { internalId: event.internalId } });
        expect(part.functions!.length).toBeLessThanOrEqual(ROUTE_FANOUT_PER_MESSAGE);
      }
      // Together, the first message and its parts name every function exactly once.
      const named = [...fanIds.slice(0, ROUTE_FANOUT_PER_MESSAGE), ...parts.flatMap((p) => p.functions!)];
      expect(named.sort()).toEqual(fanIds);
      expect(await eventRow(event.internalId)).toMatchObject({ status: "routed" });

      const all = await waitFor(
        "every fan-out function to have a run",
        async () => {
          const runs = await runsOf(event.internalId);
          return runs.length === FANOUT ? runs : undefined;
        },
        FANOUT_TIMEOUT_MS,
      );
      expect(all.map((r) => r.function_id)).toEqual(fanIds);
    },
    FANOUT_TIMEOUT_MS,
  );

  it("routes a part to its functions alone, without checking the event again", async () => {
    const event = makeEvent("q/fanout");
    await store(event);
    const part: QueueMessage = {
      kind: "event_ref",
      internalId: event.internalId,
      shard: eventShardOf(event),
      functions: [`${APP_ID}-fan-07`, `${APP_ID}-good`],
    };
    expect((await deliver([part])).explicitAcks).toEqual(["msg-0"]);
    expect((await runsOf(event.internalId)).map((r) => r.function_id)).toEqual([`${APP_ID}-fan-07`, `${APP_ID}-good`]);
    // Marking the event is the job of the message that split it.
    expect(await eventRow(event.internalId)).toMatchObject({ status: "pending" });
  });

  it("refuses a part naming more functions than one message may start", async () => {
    const event = makeEvent("q/fanout");
    await store(event);
    const functions = Array.from({ length: ROUTE_FANOUT_PER_MESSAGE + 1 }, (_, i) => `${APP_ID}-fan-${String(i).padStart(2, "0")}`);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const ref = { kind: "event_ref", internalId: event.internalId, shard: eventShardOf(event), functions };
      expect((await deliver([ref])).explicitAcks).toEqual(["msg-0"]);
    } finally {
      errors.mockRestore();
    }
    expect(await runsOf(event.internalId)).toEqual([]);
    expect(await eventRow(event.internalId)).toMatchObject({ status: "failed" });
  });

  it(
    "marks an event failed when one of its parts keeps failing, keeping the runs the others started",
    async () => {
      const event = makeEvent("q/fanout");
      await store(event);
      await deliver([inline(event)]);
      await poison(event);
      const part: QueueMessage = { kind: "event", event, functions: [BROKEN] };
      await deliver([part], QUEUE_MAX_ATTEMPTS);
      const row = await eventRow(event.internalId);
      expect(row?.status).toBe("failed");
      expect(row?.error).toContain(`starting ${BROKEN}`);
      expect(row?.error).toContain("Durable Object is overloaded");
      // The runs the event's own message and its other parts started are kept.
      await waitFor("the other parts' runs", async () => ((await runsOf(event.internalId)).length === FANOUT ? true : undefined), FANOUT_TIMEOUT_MS);
    },
    FANOUT_TIMEOUT_MS,
  );
});
