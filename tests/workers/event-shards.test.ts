/**
 * Event shards (issue 9, part 1): accepted events are durable in sharded Durable Objects with
 * no D1 statement on the ingest path, a sender's id deduplicates for 24 h inside its shard, the
 * shard re-drives events routing never confirmed (bounded per alarm), serves buffered starts
 * their events without D1 while it holds them, writes its events to D1
 * history behind the hot path, and deletes expired claims and long-settled events on schedule.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EVENT_IDEMPOTENCY_WINDOW_MS, EVENT_REDRIVE_AFTER_MS, EVENT_REDRIVES_PER_ALARM, EVENT_SHARD_COUNT, EVENT_SHARD_KEEP_MS } from "../../src/constants";
import { acceptEvents } from "../../src/ingest/accept-events";
import type { StoredEvent } from "../../src/ingest/event";
import { runShardAlarm } from "../../src/ingest/event-shard-alarm";
import { eventShardOf } from "../../src/ingest/event-shard-key";
import { EventShardStore } from "../../src/ingest/event-shard-store";
import { loadEventsAnywhere, recentEventsNamed, storeInShards } from "../../src/ingest/event-shards";
import { writeEventHistory, type EventHistoryRow } from "../../src/ingest/event-store";
import type { QueueMessage } from "../../src/ingest/queue-message";
import type { FunctionConfig } from "../../src/sync/function-config";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter } from "./helpers/app-fetch";
import { rows, type EventRow, type RunHistoryRow } from "./helpers/d1";
import { clearShardAlarms, shardRows } from "./helpers/event-shards";
import { meterSubrequests } from "./helpers/subrequests";
import { waitFor } from "./helpers/wait";
import { postEvents } from "./helpers/worker";

const APP_ID = "shard-app";
const APP_URL = "http://shard-app.test/api/inngest";
const FN = `${APP_ID}-on-order`;
/** Events are dated an hour ahead, so their runs wait (queued) instead of calling the app. */
const LATER = Date.now() + 60 * 60 * 1000;

beforeAll(async () => {
  installFetchRouter().route("http://shard-app.test", () => new Response('"done"', { status: 200, headers: { "x-inngest-sdk": "js:v4.24.0" } }));
  const config = {
    id: FN,
    name: "on-order",
    triggers: [{ event: "shard/order" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${FN}&stepId=step` } } },
  } as FunctionConfig;
  await saveApp(env.DB, { id: APP_ID, url: APP_URL }, [config], Date.now());
});

afterAll(async () => {
  await clearShardAlarms();
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

async function eventRows(ids: string[]): Promise<EventRow[]> {
  return rows<EventRow>("SELECT * FROM events WHERE internal_id IN (SELECT value FROM json_each(?)) ORDER BY internal_id", JSON.stringify(ids));
}

async function runsOf(eventId: string): Promise<RunHistoryRow[]> {
  return rows<RunHistoryRow>("SELECT * FROM runs WHERE event_id = ?", eventId);
}

/**
 * The runs of a routed event once D1 has them: they travel through the history Queue, apart
 * from the event's own row, so "routed" in D1 can come first.
 */
async function startedRunsOf(eventId: string): Promise<RunHistoryRow[]> {
  return waitFor(
    `the runs of ${eventId} to reach D1`,
    async () => {
      const runs = await runsOf(eventId);
      return runs.length > 0 ? runs : undefined;
    },
    30_000,
  );
}

/** Waits for the D1 history row of `internalId` to reach `status`. */
async function historyStatus(internalId: string, status: EventRow["status"]): Promise<EventRow> {
  return waitFor(
    `event ${internalId} to be ${status} in D1`,
    async () => {
      const [row] = await eventRows([internalId]);
      return row?.status === status ? row : undefined;
    },
    30_000,
  );
}

function makeEvent(name: string, id?: string): StoredEvent {
  const internalId = ulid();
  return { name, data: {}, ts: LATER, user: {}, internalId, id: id ?? internalId };
}

describe("the ingest path", { timeout: 60_000 }, () => {
  it("makes no D1 statement: one call per shard, in parallel, then the Queue", async () => {
    const meter = meterSubrequests();
    const body = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ name: "shard/none", data: { i } })));
    let measured;
    try {
      measured = await meter.measure(() => acceptEvents(env, body, null, Date.now()));
    } finally {
      meter.restore();
    }
    const { result, counts } = measured;
    expect(result.ok).toBe(true);
    const ids = result.ok ? result.ids : [];
    expect(counts.d1).toBe(0);
    // 200 events spread over every shard: exactly one call each.
    const shards = new Set(ids.map((internalId) => eventShardOf({ internalId })));
    expect(shards.size).toBe(EVENT_SHARD_COUNT);
    expect(counts.durableObject).toBe(shards.size);
    expect(counts.queue).toBe(2);

    // Durable before the answer: every event is in its shard already.
    for (const internalId of ids.slice(0, 5)) {
      const [row] = await shardRows<{ status: string }>(eventShardOf({ internalId }), "SELECT status FROM events WHERE internal_id = ?", internalId);
      expect(row?.status).toBeDefined();
    }
    // History follows behind the hot path.
    await waitFor("the events to reach D1 history", async () => ((await eventRows(ids)).length === 200 ? true : undefined), 30_000);
  });
});

describe("deduplication by a sender's id", { timeout: 60_000 }, () => {
  it("accepts a later event with a used id, stores it as duplicate and starts nothing for it", async () => {
    const first = await postEvents({ name: "shard/order", id: "order-900", ts: LATER });
    const again = await postEvents({ name: "shard/order", id: "order-900", ts: LATER });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    const [original] = first.body.ids;
    const [repeat] = again.body.ids;
    expect(repeat).not.toBe(original);

    await historyStatus(original!, "routed");
    expect((await startedRunsOf(original!)).map((r) => r.function_id)).toEqual([FN]);
    expect(await historyStatus(repeat!, "duplicate")).toMatchObject({ id: "order-900" });
    expect(await runsOf(repeat!)).toEqual([]);
  });

  it("lets the first of two events with one id in a request claim it", async () => {
    const res = await postEvents([
      { name: "shard/order", id: "order-901", ts: LATER },
      { name: "shard/order", id: "order-901", ts: LATER },
    ]);
    const [first, second] = res.body.ids;
    await historyStatus(first!, "routed");
    await historyStatus(second!, "duplicate");
    expect(await runsOf(second!)).toEqual([]);
  });

  it("keeps a retried send with the same seeded ids one event, not a duplicate of itself", async () => {
    const headers = { "x-inngest-event-id-seed": `${Date.now()},AAECAwQFBgcICQ==` };
    const payload = { name: "shard/order", id: "order-902", ts: LATER };
    const first = await postEvents(payload, { headers });
    const second = await postEvents(payload, { headers });
    expect(second.body.ids).toEqual(first.body.ids);
    await historyStatus(first.body.ids[0]!, "routed");
    expect(await startedRunsOf(first.body.ids[0]!)).toHaveLength(1);
  });

  it("frees an id after 24 h, and the alarm deletes expired claims", async () => {
    const now = Date.now();
    const event = makeEvent("shard/none", "order-903");
    const shard = eventShardOf(event);
    await storeInShards(env, [{ event }], now - EVENT_IDEMPOTENCY_WINDOW_MS - 1_000);
    // The claim is past its window: another event with the id is not a duplicate.
    const later = makeEvent("shard/none", "order-903");
    expect((await storeInShards(env, [{ event: later }], now)).map((i) => i.event.internalId)).toEqual([later.internalId]);
    // An expired claim of another id is deleted on the shard's schedule.
    await runInDurableObject(env.EVENT_SHARDS.getByName(`events-${shard}`), (_instance, state) => {
      state.storage.sql.exec("INSERT INTO claims (key, internal_id, expires_at) VALUES ('order-904', ?, ?)", ulid(), now - 1);
    });
    await storeInShards(env, [{ event: makeEvent("shard/none", "order-905") }], now);
    await waitFor("the expired claim to be deleted", async () =>
      (await shardRows(shard, "SELECT key FROM claims WHERE key = 'order-904'")).length === 0 ? true : undefined,
    );
  });
});

describe("confirmation and re-drive", { timeout: 60_000 }, () => {
  it("re-drives an accepted event no consumer confirmed, and stops once routing confirms it", async () => {
    const event = makeEvent("shard/order");
    // Accepted a minute ago and never enqueued (a lost local Queue message): its re-drive is due.
    await storeInShards(env, [{ event }], Date.now() - 60_000);
    await historyStatus(event.internalId, "routed");
    expect((await startedRunsOf(event.internalId)).map((r) => r.function_id)).toEqual([FN]);
    const [row] = await shardRows<{ status: string; redrive_at: number | null; routed_at: number }>(
      eventShardOf(event),
      "SELECT status, redrive_at, routed_at FROM events WHERE internal_id = ?",
      event.internalId,
    );
    expect(row).toMatchObject({ status: "routed", redrive_at: null });
  });

  it("re-drives at most EVENT_REDRIVES_PER_ALARM events per alarm, backing off each", async () => {
    const stub = env.EVENT_SHARDS.getByName("bounded-redrive-test");
    const now = Date.now();
    const events = Array.from({ length: EVENT_REDRIVES_PER_ALARM + 10 }, () => makeEvent("shard/none"));
    const [fresh, routed] = [makeEvent("shard/none"), makeEvent("shard/none")];
    const send = vi.spyOn(env.EVENTS, "sendBatch").mockResolvedValue(undefined as never);
    try {
      const sent = await runInDurableObject(stub, async (_instance, state) => {
        await state.storage.deleteAlarm();
        const store = new EventShardStore(state.storage);
        store.accept(
          events.map((event) => ({ event })),
          now - EVENT_REDRIVE_AFTER_MS - 1_000,
        );
        // Not due: one accepted just now, one confirmed routed.
        store.accept([{ event: fresh }, { event: routed }], now - 1_000);
        store.mark([{ internalId: routed.internalId, status: "routed" }], now);
        await runShardAlarm(env, store, now);
        return send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as QueueMessage));
      });
      expect(sent).toHaveLength(EVENT_REDRIVES_PER_ALARM);
      expect(sent.every((m) => m.kind === "event")).toBe(true);
      const sentIds = sent.map((m) => (m.kind === "event" ? m.event.internalId : m.internalId));
      expect(sentIds).not.toContain(fresh.internalId);
      expect(sentIds).not.toContain(routed.internalId);
      const redriven = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<{ redrive_at: number }>("SELECT redrive_at FROM events WHERE redrives = 1").toArray(),
      );
      expect(redriven).toHaveLength(EVENT_REDRIVES_PER_ALARM);
      // The next re-drive of each waits twice as long as the first did.
      for (const r of redriven) expect(r.redrive_at).toBe(now + 2 * EVENT_REDRIVE_AFTER_MS);
    } finally {
      send.mockRestore();
      await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
    }
  });

  it("keeps a failed mark over a later routed one, and sends a too-large event by reference", async () => {
    const stub = env.EVENT_SHARDS.getByName("marks-test");
    const now = Date.now();
    const big = { ...makeEvent("shard/none"), data: { blob: "z".repeat(150_000) } };
    const send = vi.spyOn(env.EVENTS, "sendBatch").mockResolvedValue(undefined as never);
    try {
      const sent = await runInDurableObject(stub, async (_instance, state) => {
        await state.storage.deleteAlarm();
        const store = new EventShardStore(state.storage);
        store.accept([{ event: big }], now - EVENT_REDRIVE_AFTER_MS - 1_000);
        await runShardAlarm(env, store, now);
        expect(store.mark([{ internalId: big.internalId, status: "failed", error: "kept failing" }], now)).toEqual([]);
        expect(
          store.mark(
            [
              { internalId: big.internalId, status: "routed" },
              { internalId: "not-here", status: "routed" },
            ],
            now,
          ),
        ).toEqual(["not-here"]);
        return send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as QueueMessage));
      });
      expect(sent).toEqual([{ kind: "event_ref", internalId: big.internalId, shard: eventShardOf(big) }]);
      const [row] = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<{ status: string; error: string }>("SELECT status, error FROM events").toArray(),
      );
      expect(row).toEqual({ status: "failed", error: "kept failing" });
    } finally {
      send.mockRestore();
      await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
    }
  });

  it("applies a failed mark with onlyPending to pending events alone, and one without it to any event, and notes history written per version", async () => {
    const stub = env.EVENT_SHARDS.getByName("only-pending-test");
    const now = Date.now();
    const [routed, pending, settledThenFailed] = [makeEvent("shard/none"), makeEvent("shard/none"), makeEvent("shard/none")];
    const rows = await runInDurableObject(stub, (_instance, state) => {
      const store = new EventShardStore(state.storage);
      store.accept([{ event: routed }, { event: pending }, { event: settledThenFailed }], now);
      store.mark(
        [
          { internalId: routed.internalId, status: "routed" },
          { internalId: settledThenFailed.internalId, status: "routed" },
        ],
        now,
      );
      const written = store.unwritten(10, 1_000_000);
      expect(
        store.mark(
          [
            { internalId: routed.internalId, status: "failed", error: "late", onlyPending: true },
            { internalId: pending.internalId, status: "failed", error: "never routed", onlyPending: true },
            { internalId: settledThenFailed.internalId, status: "failed", error: "fan-out part failed" },
          ],
          now,
        ),
      ).toEqual([]);
      // Written before the failed marks: the two marked since stay unwritten, the one left alone does not.
      store.noteWritten(written);
      return state.storage.sql
        .exec<{ internal_id: string; status: string; error: string | null; unwritten: number }>(
          "SELECT internal_id, status, error, written < version AS unwritten FROM events",
        )
        .toArray();
    });
    const byId = new Map(rows.map((r) => [r.internal_id, r]));
    expect(byId.get(routed.internalId)).toMatchObject({ status: "routed", error: null, unwritten: 0 });
    expect(byId.get(pending.internalId)).toMatchObject({ status: "failed", error: "never routed", unwritten: 1 });
    expect(byId.get(settledThenFailed.internalId)).toMatchObject({ status: "failed", error: "fan-out part failed", unwritten: 1 });
  });
});

describe("re-drive while routing is behind", { timeout: 60_000 }, () => {
  /** Runs one alarm of a fresh shard holding `event`, accepted at `acceptedAt`, with the Queue reporting `backlog`. */
  async function alarmWithBacklog(name: string, event: StoredEvent, acceptedAt: number, now: number, backlog: QueueMetrics | Error) {
    const stub = env.EVENT_SHARDS.getByName(name);
    const send = vi.spyOn(env.EVENTS, "sendBatch").mockResolvedValue(undefined as never);
    const metrics = vi.spyOn(env.EVENTS, "metrics");
    if (backlog instanceof Error) metrics.mockRejectedValue(backlog);
    else metrics.mockResolvedValue(backlog);
    try {
      return await runInDurableObject(stub, async (_instance, state) => {
        await state.storage.deleteAlarm();
        const store = new EventShardStore(state.storage);
        if (acceptedAt > 0) store.accept([{ event }], acceptedAt);
        await runShardAlarm(env, store, now);
        const sent = send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as QueueMessage));
        const [row] = state.storage.sql
          .exec<{ redrive_at: number; redrives: number }>("SELECT redrive_at, redrives FROM events WHERE internal_id = ?", event.internalId)
          .toArray();
        await state.storage.deleteAlarm();
        return { sent: sent.map((m) => (m.kind === "event" ? m.event.internalId : m.internalId)), row };
      });
    } finally {
      send.mockRestore();
      metrics.mockRestore();
    }
  }

  it("puts off the re-drive of an event the Queue has not reached yet, without counting it as one", async () => {
    const now = Date.now();
    const event = makeEvent("shard/none");
    const acceptedAt = now - EVENT_REDRIVE_AFTER_MS - 1_000;
    // The Queue still holds a message sent before this event: routing is behind, the event is in the backlog.
    const oldest = acceptedAt - 10_000;
    const behind = await alarmWithBacklog("behind-test", event, acceptedAt, now, {
      backlogCount: 5_000,
      backlogBytes: 1,
      oldestMessageTimestamp: new Date(oldest),
    });
    expect(behind.sent).toEqual([]);
    // Looked at again after about the Queue's lag (41 s here), not counted as a re-drive.
    const later = now + (now - oldest);
    expect(behind.row).toEqual({ redrive_at: later, redrives: 0 });

    // Later the Queue has moved past it and it is still pending: its message was lost, so it goes again.
    const lost = await alarmWithBacklog("behind-test", event, 0, later, { backlogCount: 3, backlogBytes: 1, oldestMessageTimestamp: new Date(later - 1_000) });
    expect(lost.sent).toEqual([event.internalId]);
    expect(lost.row).toEqual({ redrive_at: later + 2 * EVENT_REDRIVE_AFTER_MS, redrives: 1 });
  });

  it("re-drives as before when the Queue is empty or cannot say how far behind it is", async () => {
    const now = Date.now();
    const acceptedAt = now - EVENT_REDRIVE_AFTER_MS - 1_000;
    // A local Queue restarted empty (its messages lived in memory).
    const empty = makeEvent("shard/none");
    const drained = await alarmWithBacklog("empty-queue-test", empty, acceptedAt, now, {
      backlogCount: 0,
      backlogBytes: 0,
      oldestMessageTimestamp: new Date(0),
    });
    expect(drained.sent).toEqual([empty.internalId]);
    // Metrics the Queue does not offer (or that fail) tell nothing: the re-drive goes ahead.
    const unknown = makeEvent("shard/none");
    const failing = await alarmWithBacklog("unknown-backlog-test", unknown, acceptedAt, now, new Error("metrics unavailable"));
    expect(failing.sent).toEqual([unknown.internalId]);
  });

  it("gets the backlog from the events Queue binding (the signal the checks above rely on)", async () => {
    const metrics = await env.EVENTS.metrics();
    expect(typeof metrics.backlogCount).toBe("number");
  });
});

describe("history behind the hot path", { timeout: 60_000 }, () => {
  it("writes rows idempotently: again is harmless, a newer status replaces the old", async () => {
    const event = makeEvent("shard/history");
    const row = (status: EventHistoryRow["status"], routedAt: number | null) => {
      const json = JSON.stringify({
        internalId: event.internalId,
        id: event.id,
        name: event.name,
        ts: event.ts,
        event,
        target: null,
        receivedAt: 1_000,
        status,
        routedAt,
        error: null,
      } satisfies EventHistoryRow);
      return { json, bytes: json.length };
    };
    await writeEventHistory(env.DB, [row("pending", null)]);
    await writeEventHistory(env.DB, [row("pending", null)]);
    await writeEventHistory(env.DB, [row("routed", 2_000)]);
    const stored = await eventRows([event.internalId]);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      internal_id: event.internalId,
      id: event.id,
      name: "shard/history",
      ts: LATER,
      received_at: 1_000,
      status: "routed",
      routed_at: 2_000,
      error: null,
    });
    expect(JSON.parse(stored[0]!.data)).toEqual(event);
  });

  it("deletes events settled and written more than EVENT_SHARD_KEEP_MS ago, and only those", async () => {
    const stub = env.EVENT_SHARDS.getByName("keep-test");
    const now = Date.now();
    const [old, recent, unwritten] = [makeEvent("shard/none"), makeEvent("shard/none"), makeEvent("shard/none")];
    const left = await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAlarm();
      const store = new EventShardStore(state.storage);
      store.accept(
        [old, recent, unwritten].map((event) => ({ event })),
        now,
      );
      store.mark(
        [old, unwritten].map((e) => ({ internalId: e.internalId, status: "routed" as const })),
        now - EVENT_SHARD_KEEP_MS - 1,
      );
      store.mark([{ internalId: recent.internalId, status: "routed" }], now);
      store.noteWritten(store.unwritten(100, 10_000_000).filter((r) => r.internalId !== unwritten.internalId));
      store.deleteExpired(now, 100);
      return state.storage.sql
        .exec<{ internal_id: string }>("SELECT internal_id FROM events ORDER BY internal_id")
        .toArray()
        .map((r) => r.internal_id);
    });
    expect(left).toEqual([recent.internalId, unwritten.internalId].sort());
  });

  it("lets a reader of recent events (a wait's lookback) see events D1 does not hold yet", async () => {
    const now = Date.now();
    const [older, newer] = [makeEvent("shard/recent"), makeEvent("shard/recent")];
    // `older` is in D1 history already; `newer` is only in its shard, its alarm not yet run.
    await storeInShards(env, [{ event: older }], now - 2_000);
    await waitFor("the older event in D1", async () => ((await eventRows([older.internalId])).length === 1 ? true : undefined));
    const stub = env.EVENT_SHARDS.getByName(`events-${eventShardOf(newer)}`);
    await runInDurableObject(stub, (_instance, state) => {
      new EventShardStore(state.storage).accept([{ event: newer }], now - 1_000);
    });
    try {
      const recent = await recentEventsNamed(env, "shard/recent", now - 10_000, now, 10);
      expect(recent.map((e) => e.internalId)).toEqual([older.internalId, newer.internalId]);
      expect(await recentEventsNamed(env, "shard/recent", now - 1_500, now, 10)).toEqual([newer]);
    } finally {
      // Its alarm writes it now, so nothing is left behind for other tests.
      await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now()));
    }
  });

  it("finds a buffered start's events by internal id alone, in D1 or, before they are written there, in their shards", async () => {
    const now = Date.now();
    const written = makeEvent("shard/batch");
    const [plain, keyed] = [makeEvent("shard/batch"), makeEvent("shard/batch", "batch-key-1")];
    await storeInShards(env, [{ event: written }], now);
    await waitFor("the first event in D1", async () => ((await eventRows([written.internalId])).length === 1 ? true : undefined));
    const stubs = [plain, keyed].map((e) => env.EVENT_SHARDS.getByName(`events-${eventShardOf(e)}`));
    for (const [i, e] of [plain, keyed].entries()) {
      await runInDurableObject(stubs[i]!, (_instance, state) => {
        new EventShardStore(state.storage).accept([{ event: e }], now);
      });
    }
    try {
      expect(await loadEventsAnywhere(env, [keyed.internalId, written.internalId, plain.internalId, ulid()])).toEqual([keyed, written, plain]);
    } finally {
      for (const stub of stubs) await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now()));
    }
  });

  it("reads no D1 for a buffered start whose events are still in their own shards", async () => {
    const events = [makeEvent("shard/batch"), makeEvent("shard/batch")];
    await storeInShards(
      env,
      events.map((event) => ({ event })),
      Date.now(),
    );
    const meter = meterSubrequests();
    let measured;
    try {
      measured = await meter.measure(() =>
        loadEventsAnywhere(
          env,
          events.map((e) => e.internalId),
        ),
      );
    } finally {
      meter.restore();
    }
    expect(measured.result).toEqual(events);
    expect(measured.counts.d1).toBe(0);
  });
});
