/**
 * The cached, versioned function registry routing uses: one Durable Object call per read, D1
 * only after a sync changed the functions, and a sync whose version bump fails repaired by the
 * next sync.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { StoredEvent } from "../../src/ingest/event";
import { currentFunctions } from "../../src/sync/registry";
import { syncRoutes } from "../../src/api/sync-routes";
import { rows } from "./helpers/d1";
import { routedHistoryWritten, watchHistoryQueue } from "./helpers/history-queue";
import { meterSubrequests } from "./helpers/subrequests";

const APP_URL = "http://registry-app.test/api/inngest";

function fn(id: string) {
  return {
    id,
    name: id,
    triggers: [{ event: "registry/thing" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
  };
}

async function register(appName: string, ids: string[]) {
  const body = { url: APP_URL, deployType: "ping", framework: "edge", appName, sdk: "js:v4.24.0", v: "0.1", functions: ids.map(fn) };
  const res = await syncRoutes.request("/fn/register", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, env);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const meter = meterSubrequests();
afterAll(async () => {
  meter.restore();
  // The runs started here wait for their events' time; their alarms must not outlive the file.
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

/** Routes an event dated an hour ahead (its runs wait instead of calling the app) through the queue handler. */
async function route(name: string): Promise<string[]> {
  const internalId = ulid();
  const event: StoredEvent = { name, data: {}, ts: Date.now() + 60 * 60 * 1000, user: {}, internalId, id: internalId };
  watchHistoryQueue();
  const batch = createMessageBatch<unknown>("stepflare-events", [{ id: "m", timestamp: new Date(), attempts: 1, body: { kind: "event", event } }]);
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, ctx);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m"]);
  // The runs routing queued reach D1 through the history Queue, shortly after.
  await routedHistoryWritten();
  return (await rows<{ function_id: string }>("SELECT function_id FROM runs WHERE event_id = ? ORDER BY function_id", internalId)).map((r) => r.function_id);
}
afterEach(() => vi.restoreAllMocks());

/** The functions of `appId` as routing sees them, with the subrequests the read made. */
async function read(appId: string) {
  const { result, counts } = await meter.measure(() => currentFunctions(env));
  return { ids: result.filter((f) => f.appId === appId).map((f) => f.id), counts };
}

describe("function registry", () => {
  it("reads D1 once per change of the functions, and asks only the registry object otherwise", async () => {
    expect((await register("reg-a", ["reg-a-1"])).body.modified).toBe(true);
    expect((await read("reg-a")).ids).toEqual(["reg-a-1"]);
    const again = await read("reg-a");
    expect(again.ids).toEqual(["reg-a-1"]);
    expect(again.counts).toMatchObject({ d1: 0, durableObject: 1 });

    // A re-sync with the same functions changes nothing: no D1 read follows.
    expect((await register("reg-a", ["reg-a-1"])).body.modified).toBe(false);
    expect((await read("reg-a")).counts).toMatchObject({ d1: 0, durableObject: 1 });

    // A change is seen by the very next read.
    expect((await register("reg-a", ["reg-a-1", "reg-a-2"])).body.modified).toBe(true);
    const changed = await read("reg-a");
    expect(changed.ids).toEqual(["reg-a-1", "reg-a-2"]);
    expect(changed.counts).toMatchObject({ d1: 1, durableObject: 1 });
  });

  it("routes an event sent right after a sync with the functions that sync stored", async () => {
    await register("reg-d", ["reg-d-1"]);
    // The consumer's isolate now holds the list with reg-d-1 only.
    expect(await route("registry/thing")).toContain("reg-d-1");
    expect(await route("registry/thing")).not.toContain("reg-d-2");
    await register("reg-d", ["reg-d-1", "reg-d-2"]);
    const started = await route("registry/thing");
    expect(started).toContain("reg-d-1");
    expect(started).toContain("reg-d-2");
    // And a function a sync removed starts no more runs.
    await register("reg-d", ["reg-d-2"]);
    const after = await route("registry/thing");
    expect(after).toContain("reg-d-2");
    expect(after).not.toContain("reg-d-1");
  });

  it("a sync whose version bump fails answers an error, and the next sync of the same functions publishes them", async () => {
    await register("reg-b", ["reg-b-1"]);
    expect((await read("reg-b")).ids).toEqual(["reg-b-1"]);

    const real = env.REGISTRY.getByName.bind(env.REGISTRY);
    const spy = vi.spyOn(env.REGISTRY, "getByName").mockImplementation((name, options) => {
      const stub = real(name, options);
      return {
        routingState: (names: string[], now: number) => stub.routingState(names, now),
        bump: () => Promise.reject(new Error("registry unavailable")),
      } as never;
    });
    expect((await register("reg-b", ["reg-b-1", "reg-b-2"])).status).toBe(500);
    spy.mockRestore();

    const retried = await register("reg-b", ["reg-b-1", "reg-b-2"]);
    expect(retried).toMatchObject({ status: 200, body: { modified: true } });
    expect((await read("reg-b")).ids).toEqual(["reg-b-1", "reg-b-2"]);
  });

  it("reads D1 directly when the registry object cannot be reached", async () => {
    await register("reg-c", ["reg-c-1"]);
    vi.spyOn(env.REGISTRY, "getByName").mockImplementation(() => ({ routingState: () => Promise.reject(new Error("registry unavailable")) }) as never);
    const direct = await read("reg-c");
    expect(direct.ids).toEqual(["reg-c-1"]);
    expect(direct.counts.d1).toBe(1);
  });
});
