/**
 * Subrequests per invocation, counted against the platform's documented limits at the bounds
 * stepflare sets: one RunObject alarm, one queue batch, one heartbeat, one ingest request. The
 * Workers Free numbers are the ones held to (50 requests to the Internet, 1,000 to Cloudflare
 * services); Workers Paid allows 10,000. Also checks that the bounds hold work back, not drop it.
 */
import { createExecutionContext, createMessageBatch, listDurableObjectIds, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker, { EventShardObject, RunObject, SchedulerObject } from "../../src/index";
import {
  ALARM_MAX_CALLS,
  FREE_EXTERNAL_SUBREQUESTS,
  FREE_SERVICE_SUBREQUESTS,
  MAX_EVENTS_PER_REQUEST,
  ROUTE_FANOUT_PER_MESSAGE,
  ROUTE_PAIRS_PER_BATCH,
  WAIT_RESUMES_PER_BATCH,
  SWEEP_BATCH_LIMIT,
  SWEEP_OVERDUE_MS,
} from "../../src/constants";
import { messageFor } from "../../src/ingest/enqueue";
import type { StoredEvent } from "../../src/ingest/event";
import { eventShardOf } from "../../src/ingest/event-shard-key";
import { storeInShards } from "../../src/ingest/event-shards";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import type { FunctionConfig } from "../../src/sync/function-config";
import { saveApp } from "../../src/sync/store";
import { mapLimit } from "../../src/util/map-limit";
import type { Pause } from "../../src/waits/pause";
import { registerPause } from "../../src/waits/register";
import { nameShard } from "../../src/waits/shard-names";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { countRows, rows } from "./helpers/d1";
import { eventsInHistory } from "./helpers/event-shards";
import { alarmOf, driveToEnd, runStart, runStub } from "./helpers/runs";
import { meterSubrequests, services, type SubrequestCounts } from "./helpers/subrequests";
import { waitFor } from "./helpers/wait";
import { shardPauseIds } from "./helpers/wait-shards";

const APP_ID = "sr";
const APP_ORIGIN = "http://app.test";
const APP_URL = `${APP_ORIGIN}/api/inngest`;
/** Steps run side by side by the wide function: more calls than one alarm may make. */
const WIDE_STEPS = 30;

let meter: ReturnType<typeof meterSubrequests>;
const alarms: SubrequestCounts[] = [];
const beats: SubrequestCounts[] = [];
const shardAlarms: SubrequestCounts[] = [];
/** Figures measured, printed for the closing note. */
const measured: Record<string, SubrequestCounts> = {};

beforeAll(() => {
  const router = installFetchRouter();
  meter = meterSubrequests();
  // A run is driven by its alarm and, for its first calls, right at its start: both count.
  meter.invocations(RunObject.prototype, "start", alarms);
  meter.invocations(RunObject.prototype, "alarm", alarms);
  meter.invocations(SchedulerObject.prototype, "beat", beats);
  meter.invocations(EventShardObject.prototype, "alarm", shardAlarms);
  const client = new Inngest({ id: APP_ID });
  const wide = client.createFunction({ id: "wide", triggers: [{ event: "sr/wide" }] }, async ({ step }) => {
    const parts = await Promise.all(Array.from({ length: WIDE_STEPS }, (_, i) => step.run(`part-${i}`, () => i)));
    return parts.reduce((a, b) => a + b, 0);
  });
  const handler = sdkHandler(client, [wide]);
  router.route(APP_ORIGIN, (request) => {
    meter.fetched();
    return handler(request);
  });
});

afterAll(async () => {
  meter.restore();
  console.log("subrequests per invocation", JSON.stringify(measured));
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
}, 120_000);

function worst(list: SubrequestCounts[]): SubrequestCounts {
  const max = (k: keyof SubrequestCounts) => Math.max(...list.map((c) => c[k]));
  return { fetch: max("fetch"), d1: max("d1"), durableObject: max("durableObject"), queue: max("queue") };
}

describe("subrequests per invocation", () => {
  it(
    "one drive of a run (its start or an alarm) makes at most ALARM_MAX_CALLS calls, within the limits; the run carries on in the next",
    { timeout: 90_000 },
    async () => {
      // Two concurrency constraints: every call also takes and frees a slot in two FlowObjects.
      const input = runStart(APP_URL, APP_ID, "wide", "sr/wide", {
        concurrency: [
          { flow: "concurrency:sr-a", limit: 100 },
          { flow: "concurrency:sr-b", limit: 100 },
        ],
      });
      alarms.length = 0;
      await runStub(input.runId).start(input);
      const { run } = await driveToEnd(input.runId, { timeoutMs: 60_000 });
      expect(run.status).toBe("completed");

      // Discovery plus one call per step: more than one drive may make, so the start's drive and
      // its alarms ran several.
      const calls = alarms.reduce((sum, c) => sum + c.fetch, 0);
      expect(calls).toBeGreaterThan(ALARM_MAX_CALLS);
      expect(alarms.length).toBeGreaterThan(1);
      for (const counts of alarms) {
        expect(counts.fetch).toBeLessThanOrEqual(ALARM_MAX_CALLS);
        expect(counts.fetch).toBeLessThanOrEqual(FREE_EXTERNAL_SUBREQUESTS);
        expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
      }
      measured.runAlarm = worst(alarms);
    },
  );

  it("one queue batch routes at most ROUTE_PAIRS_PER_BATCH pairs within the limits, and sends the rest back", { timeout: 90_000 }, async () => {
    // At most one message's fan-out, so each event starts all its functions from its own message.
    const fanOut = ROUTE_FANOUT_PER_MESSAGE - 5;
    const functions = Array.from({ length: fanOut }, (_, i) => {
      const id = `${APP_ID}-fan-${i}`;
      return {
        id,
        name: id,
        triggers: [{ event: "sr/fan" }],
        steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
      } as FunctionConfig;
    });
    await saveApp(env.DB, { id: `${APP_ID}-fan`, url: APP_URL }, functions, Date.now());
    // Dated an hour ahead, so the runs wait instead of calling the app.
    const later = Date.now() + 60 * 60 * 1000;
    const events: StoredEvent[] = Array.from({ length: 12 }, () => {
      const internalId = ulid();
      return { name: "sr/fan", data: {}, ts: later, user: {}, internalId, id: internalId };
    });
    await storeInShards(
      env,
      events.map((event) => ({ event })),
      Date.now(),
    );
    const batch = createMessageBatch<unknown>(
      "stepflare-events",
      events.map((event, i) => ({ id: `fan-${i}`, timestamp: new Date(), attempts: 1, body: messageFor({ event }).body })),
    );
    const { counts } = await meter.measure(async () => {
      await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, createExecutionContext());
    });
    measured.queueBatch = counts;
    expect(counts.fetch).toBe(0);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
    // 20 runs per event: seven events fit the batch (one start each, no flow control); the
    // others went back on the Queue, to batches of their own (counted apart from this one).
    const routedNow = Math.floor(ROUTE_PAIRS_PER_BATCH / fanOut);
    expect(counts.queue).toBeGreaterThanOrEqual(1);
    // One start per pair, one call per event shard to confirm the events routed, and one to the
    // registry (the functions' version, and that no run waits on "sr/fan": no wait shard is asked).
    const shards = new Set(events.slice(0, routedNow).map((e) => eventShardOf(e))).size;
    expect(counts.durableObject).toBe(routedNow * fanOut + shards + 1);
    const ids = JSON.stringify(events.map((e) => e.internalId));
    const firstIds = JSON.stringify(events.slice(0, routedNow).map((e) => e.internalId));
    // History reaches D1 through its own Queue, shortly after routing.
    await waitFor("the routed runs in history", async () =>
      (await countRows("runs", "event_id IN (SELECT value FROM json_each(?))", firstIds)) === routedNow * fanOut ? true : undefined,
    );
    // Nothing is dropped: the next batches route the rest.
    await waitFor(
      "every fanned-out event to be routed",
      async () => {
        const left = await countRows("events", "status != 'routed' AND internal_id IN (SELECT value FROM json_each(?))", ids);
        return left === 0 ? true : undefined;
      },
      60_000,
    );
    await waitFor("every run in history", async () =>
      (await countRows("runs", "event_id IN (SELECT value FROM json_each(?))", ids)) === events.length * fanOut ? true : undefined,
    );
  });

  it("one queue batch resumes at most WAIT_RESUMES_PER_BATCH waiting runs, and follow-ups resume the rest", { timeout: 90_000 }, async () => {
    const now = Date.now();
    const waiting = WAIT_RESUMES_PER_BATCH + 60;
    // Runs waiting on one event name with no condition: every one matches the incoming event.
    // Their objects are empty (they just answer), which is all delivery needs to be counted.
    const pauses: Pause[] = Array.from({ length: waiting }, () => {
      const runId = ulid();
      const trigger = { name: "sr/start", data: {}, id: runId, ts: now, user: {} };
      return {
        id: `${runId}:wait`,
        runId,
        stepId: "wait",
        kind: "wait",
        eventName: "sr/many-waiters",
        expression: null,
        triggerEvent: trigger,
        createdAt: now - 1_000,
        expiresAt: now + 60 * 60 * 1000,
      };
    });
    await mapLimit(pauses, 20, (pause) => registerPause(env, pause, now));
    const internalId = ulid();
    const event: StoredEvent = { name: "sr/many-waiters", data: {}, ts: Date.now(), user: {}, internalId, id: internalId };
    await storeInShards(env, [{ event }], Date.now());
    const batch = createMessageBatch<unknown>("stepflare-events", [{ id: "waiters", timestamp: new Date(), attempts: 1, body: messageFor({ event }).body }]);
    const { counts } = await meter.measure(async () => {
      await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, createExecutionContext());
    });
    measured.waitDelivery = counts;
    // One resume per run, one look at the name's wait shard, one removal of the delivered pauses,
    // one call to the event's shard to confirm it routed, and the function registry's version.
    expect(counts.durableObject).toBe(WAIT_RESUMES_PER_BATCH + 4);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
    // The follow-up message for the rest, and the history of what the event resumed.
    expect(counts.queue).toBe(2);
    const ids = new Set(pauses.map((p) => p.id));
    // The follow-up message reaches the rest; every delivered pause is removed.
    await waitFor(
      "every waiting run to get the event",
      async () => {
        const left = (await shardPauseIds(nameShard("sr/many-waiters"))).filter((id) => ids.has(id));
        return left.length === 0 ? true : undefined;
      },
      60_000,
    );
  });

  it("one heartbeat sweeps within the limits, and wakes a run whose alarm was lost", { timeout: 90_000 }, async () => {
    const now = Date.now();
    const overdue = now - SWEEP_OVERDUE_MS - 60_000;
    // More overdue runs than one heartbeat wakes (their objects are empty: they just answer).
    const ghosts = Array.from({ length: SWEEP_BATCH_LIMIT + 10 }, () => ulid());
    await env.DB.prepare(
      `INSERT INTO runs (id, function_id, app_id, event_id, status, queued_at, updated_at, wake_at)
       SELECT value, 'sr-ghost', 'sr', 'none', 'running', ?1, ?1, ?2 FROM json_each(?3)`,
    )
      .bind(now, overdue, JSON.stringify(ghosts))
      .run();
    // A real run whose alarm is lost: stopped mid-way with its alarm deleted.
    const input = runStart(APP_URL, APP_ID, "wide", "sr/wide");
    await runInDurableObject(runStub(input.runId), async (instance: RunObject, state) => {
      await instance.start(input);
      await state.storage.deleteAlarm();
    });
    await env.DB.prepare(
      `INSERT INTO runs (id, function_id, app_id, event_id, status, queued_at, updated_at, wake_at) VALUES (?1, ?2, 'sr', ?3, 'queued', ?4, ?4, ?5)`,
    )
      .bind(input.runId, input.functionId, input.eventId, now, overdue - 1)
      .run();

    const scheduler = env.SCHEDULER.getByName(SCHEDULER_NAME);
    beats.length = 0;
    const result = await scheduler.beat();
    const counts = beats[0]!;
    measured.heartbeat = counts;
    expect(result).toMatchObject({ woken: SWEEP_BATCH_LIMIT });
    expect(counts.fetch).toBe(0);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);

    // The lost run (oldest wake-up) was among those woken: its alarm is armed again, and it ends.
    expect(await alarmOf(input.runId)).not.toBeNull();
    expect((await driveToEnd(input.runId, { timeoutMs: 60_000 })).run.status).toBe("completed");
    // Answered runs are not swept again until overdue again; the next heartbeat takes the rest.
    const next = await scheduler.beat();
    expect(next.woken).toBe(ghosts.length + 1 - SWEEP_BATCH_LIMIT);
    const stillOverdue = await rows<{ n: number }>("SELECT count(*) AS n FROM runs WHERE wake_at <= ?", now - SWEEP_OVERDUE_MS);
    expect(stillOverdue[0]!.n).toBe(0);
  });

  it("one ingest request of the most events accepted stays within the limits, with no D1 statement", { timeout: 90_000 }, async () => {
    // Any first request arms the scheduler's heartbeat, once per isolate: done here, not measured.
    await worker.fetch(new Request("http://stepflare.test/health"), env, createExecutionContext());
    shardAlarms.length = 0;
    const events = Array.from({ length: MAX_EVENTS_PER_REQUEST }, (_, n) => ({ name: "sr/ingest", data: { n } }));
    const ctx = createExecutionContext();
    const request = new Request("http://stepflare.test/e/test-key", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    // Called as the runtime calls it, in this test's context, so its subrequests are attributed to it.
    const { result, counts } = await meter.measure(async () => {
      const res = await worker.fetch(request, env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    });
    measured.ingest = counts;
    expect(result.status).toBe(200);
    expect(((await result.json()) as { ids: string[] }).ids).toHaveLength(MAX_EVENTS_PER_REQUEST);
    expect(counts.fetch).toBe(0);
    expect(counts.d1).toBe(0);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);

    // The shards write that history behind the request, each alarm in one D1 batch.
    await eventsInHistory(60_000);
    expect(shardAlarms.length).toBeGreaterThan(0);
    for (const alarm of shardAlarms) {
      expect(alarm.fetch).toBe(0);
      expect(alarm.d1).toBeLessThanOrEqual(1);
      expect(services(alarm)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
    }
    measured.eventShardAlarm = worst(shardAlarms);
  });
});
