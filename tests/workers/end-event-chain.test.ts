/**
 * The chain guard: functions triggered by `inngest/function.finished` without a filter neither
 * start themselves again nor start each other without end, and each skip is kept with its reason.
 * End events are made by the real `runEndEvents` and routed by the real `routeEvents` into D1.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, MAX_FUNCTION_EVENT_DEPTH } from "../../src/constants";
import { toSdkEvent, type StoredEvent } from "../../src/ingest/event";
import { storeInShards } from "../../src/ingest/event-shards";
import { routeEvents } from "../../src/routing/route-events";
import { runEndEvents } from "../../src/runs/run-end-events";
import type { FunctionConfig } from "../../src/sync/function-config";
import { listFunctions, saveApp } from "../../src/sync/store";
import { jsonBytes } from "../../src/util/utf8";
import { installFetchRouter } from "./helpers/app-fetch";
import { rows } from "./helpers/d1";
import { routedHistoryWritten, watchHistoryQueue } from "./helpers/history-queue";

const APP_ID = "chain-app";
const APP_URL = "http://chain.test/api/inngest";
/** Events are dated an hour ahead, so their runs wait (queued) instead of calling the app. */
const LATER = Date.now() + 60 * 60 * 1000;
const PING = `${APP_ID}-ping`;
const PONG = `${APP_ID}-pong`;

function fn(id: string, triggers: FunctionConfig["triggers"]): FunctionConfig {
  return {
    id,
    name: id,
    triggers,
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
  } as FunctionConfig;
}

beforeAll(async () => {
  watchHistoryQueue();
  installFetchRouter().route("http://chain.test", () => new Response('"done"', { status: 200, headers: { "x-inngest-sdk": "js:v4.24.0" } }));
  // Both listen to every function's end, with no filter: each would start the other (and itself) forever.
  await saveApp(
    env.DB,
    { id: APP_ID, url: APP_URL },
    [fn(PING, [{ event: "inngest/function.finished" }]), fn(PONG, [{ event: "inngest/function.*" }])],
    Date.now(),
  );
});

afterAll(async () => {
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

/** Stores and routes one event as the Queue consumer does; returns the functions it started. */
async function route(event: StoredEvent): Promise<string[]> {
  await storeInShards(env, [{ event }], Date.now());
  const failures = await routeEvents(env, [{ event }], await listFunctions(env.DB), Date.now());
  expect(failures.size).toBe(0);
  await routedHistoryWritten();
  return (await rows<{ function_id: string }>("SELECT function_id FROM runs WHERE event_id = ? ORDER BY function_id", event.internalId)).map(
    (r) => r.function_id,
  );
}

async function skipsOf(eventId: string): Promise<{ function_id: string; reason: string }[]> {
  return rows("SELECT function_id, reason FROM skipped_runs WHERE event_id = ? ORDER BY function_id", eventId);
}

/** The `inngest/function.finished` event a run of `functionId` started by `trigger` emits, as stored. */
function finishedEvent(functionId: string, trigger: StoredEvent, output: unknown): StoredEvent {
  const [finished] = runEndEvents({ id: ulid(), functionId, endedAt: LATER, events: [toSdkEvent(trigger)] }, { status: "completed", output });
  const internalId = ulid();
  return { name: finished!.name, data: finished!.data, ts: LATER, user: {}, internalId, id: internalId };
}

describe("functions triggered by end events", () => {
  it("are not started by their own end events, and the skip is kept", async () => {
    const user: StoredEvent = { name: "app/go", data: {}, ts: LATER, user: {}, internalId: ulid(), id: ulid() };
    const ownEnd = finishedEvent(PING, user, "ok");
    expect(await route(ownEnd)).toEqual([PONG]);
    expect(await skipsOf(ownEnd.internalId)).toEqual([{ function_id: PING, reason: "self_trigger" }]);
  });

  it("stop a chain after MAX_FUNCTION_EVENT_DEPTH generations, keeping each event small and the skip recorded", async () => {
    // A user event starts an outside function; its end starts the chain. Each generation's output is large.
    const output = "€".repeat(80_000);
    const user: StoredEvent = { name: "app/go", data: { blob: "€".repeat(100_000) }, ts: LATER, user: {}, internalId: ulid(), id: ulid() };
    // The runs of the current generation: which function ended, and the event that started it.
    let frontier = [{ ending: `${APP_ID}-outside`, trigger: user }];
    let generations = 0;
    while (frontier.length > 0) {
      const next: typeof frontier = [];
      for (const { ending, trigger } of frontier) {
        const event = finishedEvent(ending, trigger, output);
        expect(jsonBytes(toSdkEvent(event))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
        const started = await route(event);
        const others = [PING, PONG].filter((id) => id !== ending);
        if (generations < MAX_FUNCTION_EVENT_DEPTH) {
          expect(started).toEqual(others);
        } else {
          expect(started).toEqual([]);
          expect(await skipsOf(event.internalId)).toEqual(
            [PING, PONG].map((id) => ({ function_id: id, reason: id === ending ? "self_trigger" : "chain_depth" })),
          );
        }
        next.push(...started.map((id) => ({ ending: id, trigger: event })));
      }
      if (next.length > 0) generations++;
      frontier = next;
    }
    expect(generations).toBe(MAX_FUNCTION_EVENT_DEPTH);
  });
});
