/**
 * Inngest's REST API v2 under `/api/v2`, through the Worker's fetch handler, checked field by
 * field against the shapes of Inngest's `proto/api/v2/service.proto` as its JSON gateway writes
 * them (camelCase, unprefixed enum names, RFC 3339 times, 64-bit integers as strings, unset and
 * false fields left out), over seeded history.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { getJson, sendJson } from "./helpers/history";
import { seedToolsHistory, type ToolsSeed } from "./helpers/tools-seed";

const T0 = Date.UTC(2020, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const METADATA = { fetchedAt: ISO };

interface V2Body {
  data: unknown;
  metadata: unknown;
  page?: unknown;
  errors?: { code: string; message: string }[];
  error?: string;
}

let seed: ToolsSeed;

beforeAll(async () => {
  seed = await seedToolsHistory("v2-app", T0);
});

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

/** The completed run as `FunctionRun`, without output. */
const completedRun = () => ({
  id: seed.completedRun,
  function: { id: "ship", name: "ship function" },
  app: { id: "v2-app" },
  status: "COMPLETED",
  queuedAt: iso(T0 + 1),
  startedAt: iso(T0 + 10),
  endedAt: iso(T0 + 1_010),
  durationMs: "1000",
  trigger: { eventIds: [seed.order.internalId], eventName: "tools/order" },
});

describe("runs", () => {
  it("GET /runs/:id answers the run, with its output only when asked", async () => {
    const plain = await getJson<V2Body>(`/api/v2/runs/${seed.completedRun}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ data: completedRun(), metadata: METADATA });
    const withOutput = await getJson<V2Body>(`/api/v2/runs/${seed.completedRun}?includeOutput=true`);
    expect(withOutput.body.data).toEqual({ ...completedRun(), output: { shipped: true } });
    const running = await getJson<V2Body>(`/api/v2/runs/${seed.runningRun}`);
    expect(running.body.data).toEqual({
      id: seed.runningRun,
      function: { id: "ship", name: "ship function" },
      app: { id: "v2-app" },
      status: "RUNNING",
      queuedAt: iso(T0 + 60_001),
      startedAt: iso(T0 + 60_010),
      trigger: { eventIds: [seed.other.internalId], eventName: "tools/order" },
    });
  });

  it("answers Inngest's error shape, plus `error` and `status`, for unknown runs and bad input", async () => {
    const missing = await getJson<V2Body>("/api/v2/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errors: [{ code: "not_found", message: "Run not found" }], error: "Run not found", status: 404 });
    const notUlid = await getJson<V2Body>("/api/v2/runs/not-a-run");
    expect(notUlid.status).toBe(400);
    expect(notUlid.body.errors).toEqual([{ code: "invalid_field_format", message: "Run ID must be a valid ULID" }]);
    const bad = await getJson<V2Body>(`/api/v2/runs/${seed.completedRun}?includeOutput=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.code).toBe("invalid_field_format");
  });

  it("GET /runs/:id/trace answers the run span with a child per step, outputs when asked", async () => {
    const res = await getJson<V2Body>(`/api/v2/runs/${seed.completedRun}/trace?includeOutput=true`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        runId: seed.completedRun,
        rootSpan: {
          id: seed.completedRun,
          name: "Run",
          status: "COMPLETED",
          durationMs: "1000",
          queuedAt: iso(T0 + 1),
          startedAt: iso(T0 + 10),
          endedAt: iso(T0 + 1_010),
          output: { shipped: true },
          children: [
            {
              id: `${seed.completedRun}:h1`,
              name: "pack",
              status: "COMPLETED",
              stepOp: "RUN",
              stepId: "h1",
              durationMs: "390",
              queuedAt: iso(T0 + 10),
              startedAt: iso(T0 + 10),
              endedAt: iso(T0 + 400),
              output: { data: "boxed" },
            },
            {
              id: `${seed.completedRun}:h2`,
              name: "wait",
              status: "COMPLETED",
              stepOp: "SLEEP",
              stepId: "h2",
              durationMs: "600",
              queuedAt: iso(T0 + 400),
              startedAt: iso(T0 + 400),
              endedAt: iso(T0 + 1_000),
              output: { data: null },
            },
          ],
        },
      },
      metadata: METADATA,
    });
    const failed = await getJson<{ data: { rootSpan: { status: string; children: { status: string; output?: unknown }[] } } }>(
      `/api/v2/runs/${seed.failedRun}/trace?includeOutput=true`,
    );
    expect(failed.body.data.rootSpan.status).toBe("FAILED");
    expect(failed.body.data.rootSpan.children[0]).toMatchObject({ status: "FAILED", output: { name: "Error", message: "card declined" } });
    const waiting = await getJson<{ data: { rootSpan: { children: Record<string, unknown>[] } } }>(`/api/v2/runs/${seed.runningRun}/trace`);
    expect(waiting.body.data.rootSpan.children[0]).toEqual({
      id: `${seed.runningRun}:h4`,
      name: "nap",
      status: "WAITING",
      stepOp: "SLEEP",
      stepId: "h4",
      queuedAt: iso(T0 + 60_010),
      startedAt: iso(T0 + 60_010),
    });
  });

  it("GET /events/:id/runs pages through an event's runs", async () => {
    const first = await getJson<V2Body>(`/api/v2/events/${seed.order.internalId}/runs?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: [completedRun()], metadata: METADATA, page: { cursor: seed.completedRun, hasMore: true, limit: 1 } });
    const second = await getJson<{ data: { id: string; status: string }[]; page: unknown }>(
      `/api/v2/events/${seed.order.internalId}/runs?limit=1&cursor=${seed.completedRun}`,
    );
    expect(second.body.data.map((r) => [r.id, r.status])).toEqual([[seed.failedRun, "FAILED"]]);
    expect(second.body.page).toEqual({ limit: 1 });
    expect((await getJson<V2Body>(`/api/v2/events/${seed.order.internalId}/runs?limit=41`)).status).toBe(400);
  });

  it("GET /runs filters by app, function and status, newest first, and refuses what it cannot do", async () => {
    const all = await getJson<{ data: { id: string }[]; page: unknown }>(`/api/v2/runs?appId=v2-app`);
    expect(all.body.data.map((r) => r.id)).toEqual([seed.runningRun, seed.failedRun, seed.completedRun]);
    expect(all.body.page).toEqual({ limit: 20 });
    const shipped = await getJson<{ data: { id: string }[] }>(`/api/v2/runs?appId=v2-app&functionId=ship&status=COMPLETED`);
    expect(shipped.body.data.map((r) => r.id)).toEqual([seed.completedRun]);
    const scoped = await getJson<{ data: { id: string }[] }>(`/api/v2/apps/v2-app/functions/ship/runs?status=RUNNING`);
    expect(scoped.body.data.map((r) => r.id)).toEqual([seed.runningRun]);
    const paged = await getJson<{ data: { id: string }[]; page: unknown }>(`/api/v2/runs?appId=v2-app&limit=2`);
    expect(paged.body.page).toEqual({ cursor: seed.failedRun, hasMore: true, limit: 2 });
    for (const query of ["functionId=ship", "limit=101", "status=SLEEPING", "order=ASC", "timeField=endedAt", "cursor=nope"]) {
      const res = await getJson<V2Body>(`/api/v2/runs?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.errors?.[0]?.message.length, query).toBeGreaterThan(0);
    }
  });

  it("POST /runs/:id/cancel refuses an ended run with Inngest's conflict code", async () => {
    const ended = await sendJson<V2Body>("POST", `/api/v2/runs/${seed.completedRun}/cancel`, {});
    expect(ended.status).toBe(409);
    expect(ended.body.errors).toEqual([{ code: "run_already_ended", message: "Cannot cancel an ended run" }]);
    expect((await sendJson<V2Body>("POST", "/api/v2/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel", {})).status).toBe(404);
  });

  it("POST /runs/:id/rerun checks the step it is asked to start from", async () => {
    const unknownStep = await sendJson<V2Body>("POST", `/api/v2/runs/${seed.completedRun}/rerun`, { fromStep: { stepId: "nope" } });
    expect(unknownStep.status).toBe(400);
    expect(unknownStep.body.errors).toEqual([{ code: "invalid_request", message: "Step not found in original run" }]);
    const withInput = await sendJson<V2Body>("POST", `/api/v2/runs/${seed.completedRun}/rerun`, { fromStep: { stepId: "pack", input: [1] } });
    expect(withInput.status).toBe(400);
    expect((await sendJson<V2Body>("POST", "/api/v2/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun", {})).status).toBe(404);
  });
});

describe("apps and functions", () => {
  const ship = {
    id: "ship",
    name: "ship function",
    slug: "ship",
    app: { id: "v2-app" },
    triggers: [{ type: "EVENT", value: "tools/order", if: "event.data.vip" }],
    configuration: { retries: { value: 4, isDefault: true }, concurrency: [{ scope: "FUNCTION", limit: { value: 3 }, key: "event.data.userId" }] },
  };

  it("GET /apps and /apps/:id answer the app with its latest sync", async () => {
    const app = {
      id: "v2-app",
      name: "v2-app",
      method: "SERVE",
      createdAt: ISO,
      functionCount: 2,
      latestSync: { status: "success", syncedAt: ISO, sdkLanguage: "js", sdkVersion: "4.24.0", framework: "hono", url: "http://tools.test/api" },
    };
    const list = await getJson<V2Body>("/api/v2/apps");
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [app], metadata: METADATA, page: { limit: 20 } });
    expect((await getJson<V2Body>("/api/v2/apps?archived=true")).body.data).toEqual([]);
    expect((await getJson<V2Body>("/api/v2/apps/v2-app")).body).toEqual({ data: app, metadata: METADATA });
    expect((await getJson<V2Body>("/api/v2/apps/nope")).status).toBe(404);
  });

  it("GET /apps/:id/functions and /apps/:id/functions/:id answer functions by their public id", async () => {
    const list = await getJson<V2Body>("/api/v2/apps/v2-app/functions");
    expect(list.body).toEqual({
      data: [
        {
          id: "bill",
          name: "bill function",
          slug: "bill",
          app: { id: "v2-app" },
          triggers: [{ type: "CRON", value: "0 9 * * *" }],
          configuration: { retries: { value: 4, isDefault: true } },
        },
        ship,
      ],
      metadata: METADATA,
      page: { limit: 20 },
    });
    expect((await getJson<V2Body>("/api/v2/apps/v2-app/functions/ship")).body).toEqual({ data: ship, metadata: METADATA });
    expect((await getJson<V2Body>("/api/v2/apps/v2-app/functions/v2-app-ship")).body.data).toEqual(ship);
    expect((await getJson<V2Body>("/api/v2/apps/v2-app/functions/nope")).status).toBe(404);
  });

  it("POST .../invoke refuses unknown functions and keys it cannot honour", async () => {
    expect((await sendJson<V2Body>("POST", "/api/v2/apps/v2-app/functions/nope/invoke", { data: {} })).status).toBe(404);
    const keyed = await sendJson<V2Body>("POST", "/api/v2/apps/v2-app/functions/ship/invoke", { data: {}, idempotencyKey: "k" });
    expect(keyed.status).toBe(400);
    expect((await sendJson<V2Body>("POST", "/api/v2/apps/v2-app/functions/ship/invoke", { data: [] })).status).toBe(400);
  });

  it("GET /health", async () => {
    expect((await getJson<V2Body>("/api/v2/health")).body).toEqual({ data: { status: "ok" }, metadata: METADATA });
  });
});
