import { createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { previousTick } from "../../src/cron/next-tick";
import type { Schedule } from "../../src/cron/schedule";
import { rfc3339 } from "../../src/cron/tick-event";
import worker from "../../src/index";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { functionConfigSchema } from "../../src/sync/function-config";
import { saveApp } from "../../src/sync/store";
import { eventsInHistory } from "./helpers/event-shards";

const APP_URL = "http://app.test/api/inngest";
const scheduler = () => env.SCHEDULER.getByName(SCHEDULER_NAME);

function fn(id: string, triggers: unknown[]) {
  return functionConfigSchema.parse({
    id,
    triggers,
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
  });
}

async function sync(appId: string, functions: ReturnType<typeof fn>[]): Promise<void> {
  await saveApp(env.DB, { id: appId, url: APP_URL }, functions, Date.now());
  await scheduler().refreshSchedules();
}

async function schedulesOf(functionId: string): Promise<Schedule[]> {
  return (await scheduler().schedules()).filter((s) => s.functionId === functionId);
}

/** Moves a schedule's next tick to `at` (as if the object slept until after it, or crashed before advancing). */
async function rewind(functionId: string, at: number): Promise<void> {
  await runInDurableObject(scheduler(), (_instance, state) => {
    state.storage.sql.exec("UPDATE schedules SET next_at = ?1, fire_at = ?1 WHERE function_id = ?2", at, functionId);
  });
}

interface EventRow {
  id: string;
  name: string;
  data: string;
  ts: number;
  target: string | null;
  status: string;
}

/** The tick events stored for `functionId`, once the event shards have written them to D1. */
async function tickEventsOf(functionId: string): Promise<EventRow[]> {
  await eventsInHistory();
  const { results } = await env.DB.prepare("SELECT id, name, data, ts, target, status FROM events WHERE target = ?").bind(functionId).all<EventRow>();
  return results;
}

async function poll<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Events the stand-in app was called with, by function id. */
const received = new Map<string, unknown[]>();

/**
 * Stands in for the app: answers every call request as an SDK whose function returns at once,
 * and records the event it was called with. (The official SDK's end-to-end path is covered by
 * tests/e2e/cron.test.ts.)
 */
function fakeApp(): void {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const functionId = new URL(request.url).searchParams.get("fnId") ?? "";
    const body = (await request.json()) as { event: unknown };
    received.set(functionId, [...(received.get(functionId) ?? []), body.event]);
    return new Response("null", { status: 200, headers: { "content-type": "application/json", "x-inngest-sdk": "js:v4.24.0" } });
  });
}

describe("cron schedules in the scheduler object", () => {
  beforeEach(fakeApp);
  afterEach(() => vi.restoreAllMocks());

  it("emits inngest/scheduled.timer for the function alone when a tick is due, once per tick", async () => {
    // Yearly, so the latest tick (1 January, 00:00 UTC) cannot move while the test runs.
    const cron = "0 0 1 1 *";
    await sync("cron-app", [fn("cron-yearly", [{ cron }])]);
    const year = new Date().getUTCFullYear();
    const tick = Date.UTC(year, 0, 1);
    expect(await schedulesOf("cron-yearly")).toEqual([
      { functionId: "cron-yearly", cron, jitterMs: 0, nextAt: Date.UTC(year + 1, 0, 1), fireAt: Date.UTC(year + 1, 0, 1) },
    ]);

    await rewind("cron-yearly", tick);
    expect(await runDurableObjectAlarm(scheduler())).toBe(true);
    const [row, ...more] = await tickEventsOf("cron-yearly");
    expect(more).toEqual([]);
    expect(row).toMatchObject({ id: rfc3339(tick), name: "inngest/scheduled.timer", ts: tick, target: "cron-yearly" });
    expect(JSON.parse(row!.data)).toMatchObject({
      id: rfc3339(tick),
      data: { cron, scheduledAt: rfc3339(tick), fireAt: rfc3339(tick) },
    });
    expect((await schedulesOf("cron-yearly"))[0]?.nextAt).toBe(Date.UTC(year + 1, 0, 1));

    // The alarm again: nothing is due.
    expect(await runDurableObjectAlarm(scheduler())).toBe(true);
    // The same tick again, as after a crash between emitting it and moving on: stored once.
    await rewind("cron-yearly", tick);
    expect(await runDurableObjectAlarm(scheduler())).toBe(true);
    expect(await tickEventsOf("cron-yearly")).toHaveLength(1);

    // The router starts the targeted function, and only it, with the tick as its event.
    const [event, ...again] = await poll(async () => received.get("cron-yearly"), "the function to be called");
    expect(again).toEqual([]);
    expect(event).toEqual({
      name: "inngest/scheduled.timer",
      id: rfc3339(tick),
      ts: tick,
      user: {},
      data: { cron, scheduledAt: rfc3339(tick), fireAt: rfc3339(tick) },
    });
    // History reaches D1 through its own Queue, shortly after routing.
    const runs = await poll(async () => {
      const { results } = await env.DB.prepare("SELECT function_id FROM runs WHERE event_id = (SELECT internal_id FROM events WHERE target = ?)")
        .bind("cron-yearly")
        .all<{ function_id: string }>();
      return results.length > 0 ? results : undefined;
    }, "the tick's event and run in history");
    expect(runs).toEqual([{ function_id: "cron-yearly" }]);
  });

  it("follows re-syncs: adds, keeps, changes and removes schedules", async () => {
    await sync("resync-app", [fn("resync-a", [{ cron: "*/5 * * * *" }]), fn("resync-b", [{ cron: "0 * * * *" }])]);
    expect((await schedulesOf("resync-a")).map((s) => s.cron)).toEqual(["*/5 * * * *"]);
    expect((await schedulesOf("resync-b")).map((s) => s.cron)).toEqual(["0 * * * *"]);

    // An unchanged schedule keeps its next tick (moved here to a later hour to tell them apart).
    const kept = (await schedulesOf("resync-b"))[0]!.nextAt + 3 * 60 * 60 * 1000;
    await rewind("resync-b", kept);
    await sync("resync-app", [
      fn("resync-a", [{ cron: "TZ=Europe/Paris */10 * * * *", jitter: "20s" }]),
      fn("resync-b", [{ cron: "0 * * * *" }, { event: "app/other" }]),
    ]);
    expect(await schedulesOf("resync-a")).toEqual([expect.objectContaining({ cron: "TZ=Europe/Paris */10 * * * *", jitterMs: 20_000 })]);
    expect(await schedulesOf("resync-b")).toEqual([expect.objectContaining({ cron: "0 * * * *", nextAt: kept })]);

    await sync("resync-app", [fn("resync-b", [{ event: "app/other" }])]);
    expect(await schedulesOf("resync-a")).toEqual([]);
    expect(await schedulesOf("resync-b")).toEqual([]);
  });

  it("fires a tick whose alarm was lost once the Cron Trigger runs", async () => {
    await sync("rearm-app", [fn("rearm-fn", [{ cron: "0 0 1 2 *" }])]);
    await rewind("rearm-fn", Date.UTC(2025, 1, 1));
    await runInDurableObject(scheduler(), (_instance, state) => state.storage.deleteAlarm());

    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env);
    // Overdue by more than a year: only the latest missed tick fires.
    const [row, ...more] = await poll(async () => {
      const rows = await tickEventsOf("rearm-fn");
      return rows.length > 0 ? rows : undefined;
    }, "the overdue tick");
    expect(more).toEqual([]);
    expect(row?.id).toBe(rfc3339(previousTick("0 0 1 2 *", Date.now())));
    expect(await runInDurableObject(scheduler(), (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });
});
