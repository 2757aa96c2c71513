/**
 * Buffered events survive a failing start (issue 14, item 6): a debounce window or batch whose
 * run cannot be started because D1 fails keeps its events in the FlowObject, retries from the
 * alarm, and starts exactly one run once D1 is back.
 */
import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { FlowObject } from "../../durable-objects/flow-object";
import type { StoredEvent } from "../../src/ingest/event";
import { eventShardOf } from "../../src/ingest/event-shard-key";
import { storeInShards } from "../../src/ingest/event-shards";
import { runIdFor } from "../../src/runs/run-id";
import type { FunctionConfig } from "../../src/sync/function-config";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter } from "./helpers/app-fetch";
import { rows, type RunHistoryRow } from "./helpers/d1";
import { historyWritten, shardRows } from "./helpers/event-shards";
import { runStub } from "./helpers/runs";
import { sleep, waitFor } from "./helpers/wait";

const APP_ID = "release-app";
const APP_URL = "http://release.test/api/inngest";
/** Events are dated an hour ahead, so their runs wait (queued) instead of calling the app. */
const LATER = Date.now() + 60 * 60 * 1000;
const FN = { batched: `${APP_ID}-batched`, debounced: `${APP_ID}-debounced` };

function fn(id: string, extra: Partial<FunctionConfig>): FunctionConfig {
  return {
    id,
    name: id,
    triggers: [{ event: `release/${id}` }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
    ...extra,
  } as FunctionConfig;
}

beforeAll(async () => {
  installFetchRouter().route("http://release.test", () => new Response('"done"', { status: 200, headers: { "x-inngest-sdk": "js:v4.24.0" } }));
  await saveApp(
    env.DB,
    { id: APP_ID, url: APP_URL },
    [fn(FN.batched, { batchEvents: { maxSize: 2, timeout: "60s" } }), fn(FN.debounced, { debounce: { period: "1s" } })],
    Date.now(),
  );
});

afterAll(async () => {
  const stubs = [
    ...(await listDurableObjectIds(env.RUNS)).map((id) => env.RUNS.get(id)),
    ...(await listDurableObjectIds(env.FLOWS)).map((id) => env.FLOWS.get(id)),
  ];
  for (const stub of stubs) await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
});

/** Stored events dated LATER, with fresh internal ids. */
async function storedEvents(name: string, n: number): Promise<StoredEvent[]> {
  const events = Array.from({ length: n }, (_, i) => {
    const internalId = ulid();
    return { name, data: { i }, ts: LATER, user: {}, internalId, id: internalId };
  });
  await storeInShards(
    env,
    events.map((event) => ({ event })),
    Date.now(),
  );
  return events;
}

/** Makes D1 fail for statements on `table` until the returned function is called. */
async function breakTable(table: string): Promise<() => Promise<void>> {
  await env.DB.prepare(`ALTER TABLE ${table} RENAME TO ${table}_down`).run();
  return async () => {
    await env.DB.prepare(`ALTER TABLE ${table}_down RENAME TO ${table}`).run();
  };
}

/**
 * Makes the object's pending releases due now and runs its alarm until none is left. The pool
 * may fire the alarm by itself as well; either way the release is retried from the alarm.
 */
async function retryNow(flow: DurableObjectStub<FlowObject>): Promise<void> {
  await runInDurableObject(flow, (_instance, state) => {
    state.storage.sql.exec("UPDATE releases SET next_at = ?", Date.now());
  });
  await waitFor("the pending releases to start their runs", async () => {
    await runDurableObjectAlarm(flow);
    return (await flow.pendingReleases()).length === 0 ? true : undefined;
  });
}

async function historyRuns(eventId: string): Promise<RunHistoryRow[]> {
  return rows<RunHistoryRow>("SELECT * FROM runs WHERE event_id = ?", eventId);
}

describe("a buffered start that fails", () => {
  it("keeps a full batch whose history write fails, and completes the same run after recovery", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const flow = env.FLOWS.getByName("release-test-batch");
    const [a, b] = await storedEvents(`release/${FN.batched}`, 2);
    const cfg = { maxSize: 2, timeoutMs: 60_000, maxBytes: 1_000_000 };
    const runId = await runIdFor(a!.internalId, FN.batched);

    // The run's object is created, then recording it in D1 fails: the release must stay.
    const restore = await breakTable("runs");
    try {
      await flow.batch({ internalId: a!.internalId, bytes: 10 }, cfg, { functionId: FN.batched });
      await flow.batch({ internalId: b!.internalId, bytes: 10 }, cfg, { functionId: FN.batched });
      const pending = await flow.pendingReleases();
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ functionId: FN.batched, events: [a!.internalId, b!.internalId] });
      expect(pending[0]!.attempts).toBeGreaterThanOrEqual(1);
      // Retried from the alarm, not dropped.
      expect(await runInDurableObject(flow, (_i, state) => state.storage.getAlarm())).not.toBeNull();
    } finally {
      await restore();
    }
    const created = await runStub(runId).status();
    expect(created).toMatchObject({ id: runId, event_id: a!.internalId, status: "queued" });

    await retryNow(flow);
    // One run, the same one: its object was not created again, and history has it once.
    expect(await runStub(runId).status()).toMatchObject({ id: runId, queued_at: created!.queued_at });
    expect((await historyRuns(a!.internalId)).map((r) => r.id)).toEqual([runId]);
    expect(errors).toHaveBeenCalled();
  });

  it("keeps a closed debounce window while D1 cannot read its events, and starts its run once after recovery", { timeout: 60_000 }, async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const flow = env.FLOWS.getByName("release-test-debounce");
    const [first, last] = await storedEvents(`release/${FN.debounced}`, 2);
    const start = { functionId: FN.debounced };
    const runId = await runIdFor(last!.internalId, FN.debounced);
    // Long buffered, the events are in D1 history only: their shards have deleted them.
    await historyWritten([first!.internalId, last!.internalId]);
    for (const event of [first!, last!]) {
      await shardRows(eventShardOf(event), "DELETE FROM events WHERE internal_id = ?", event.internalId);
    }

    const restore = await breakTable("events");
    try {
      await flow.debounce({ internalId: first!.internalId, ts: LATER }, { periodMs: 50 }, start);
      await flow.debounce({ internalId: last!.internalId, ts: LATER }, { periodMs: 50 }, start);
      // The window closes on the alarm; loading its event from D1 fails.
      await sleep(60);
      await waitFor("the closed window to become a kept release", async () => {
        await runDurableObjectAlarm(flow);
        const pending = await flow.pendingReleases();
        return pending.length === 1 && pending[0]!.attempts >= 1 ? pending : undefined;
      });
      expect(await flow.pendingReleases()).toMatchObject([{ functionId: FN.debounced, events: [last!.internalId] }]);
      expect(await runStub(runId).status()).toBeNull();
    } finally {
      await restore();
    }

    await retryNow(flow);
    expect(await runStub(runId).status()).toMatchObject({ id: runId, event_id: last!.internalId, status: "queued" });
    expect((await historyRuns(last!.internalId)).map((r) => r.id)).toEqual([runId]);
    // Retrying again finds nothing to do: no second run, no second row.
    await retryNow(flow);
    expect((await historyRuns(last!.internalId)).map((r) => r.id)).toEqual([runId]);
    expect(await historyRuns(first!.internalId)).toEqual([]);
    expect(errors).toHaveBeenCalled();
  });
});
