/**
 * The dashboard's run view and metrics reads over D1 history: each failed attempt's error on its
 * step, the links between an invoking run and the run it started, and `/v0/metrics` (its buckets,
 * totals per function, and refusal of bad windows).
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { METRICS_BUCKETS, METRICS_MAX_WINDOW_HOURS } from "../../src/constants";
import type { MetricsBucket } from "../../src/history/metrics";
import { getJson, seedEvents, seedRuns } from "./helpers/history";

const APP_ID = "view-app";
const MINUTE = 60_000;

interface Metrics {
  function_id: string | null;
  from: number;
  to: number;
  bucket_ms: number;
  buckets: MetricsBucket[];
  functions?: { function_id: string; name: string | null; started: number; completed: number; failed: number; cancelled: number }[];
}

function insertStep(
  runId: string,
  stepId: string,
  fields: { op?: string; status: string; attempts?: number; error?: unknown; attemptErrors?: unknown; startedAt: number; endedAt: number | null; seq: number },
) {
  return env.DB.prepare(
    `INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, attempt_errors, started_at, ended_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
  ).bind(
    runId,
    stepId,
    stepId,
    fields.op ?? "StepRun",
    fields.status,
    fields.attempts ?? 1,
    fields.error === undefined ? null : JSON.stringify(fields.error),
    fields.attemptErrors === undefined ? null : JSON.stringify(fields.attemptErrors),
    fields.startedAt,
    fields.endedAt,
    fields.seq,
  );
}

describe("GET /v0/runs/:id (the whole story)", () => {
  it("gives each step its failed attempts' errors, oldest first", async () => {
    const t = Date.UTC(2022, 0, 1);
    const [event] = await seedEvents([{ name: "view/go", receivedAt: t }]);
    const runId = ulid(t);
    await seedRuns([
      { id: runId, functionId: `${APP_ID}-retry`, appId: APP_ID, eventId: event!.internalId, status: "failed", queuedAt: t, startedAt: t, endedAt: t + 5_000 },
    ]);
    const errors = [1, 2].map((n) => ({ attempt: n, error: { name: "Error", message: `broke ${n}` }, at: t + n * 1_000 }));
    await insertStep(runId, "s1", {
      status: "failed",
      attempts: 2,
      error: errors[1]!.error,
      attemptErrors: errors,
      startedAt: t,
      endedAt: t + 2_000,
      seq: 0,
    }).run();
    const res = await getJson<{ data: { steps: { attempt_errors: unknown; error: unknown }[] } }>(`/v0/runs/${runId}`);
    expect(res.status).toBe(200);
    expect(res.body.data.steps[0]!.attempt_errors).toEqual(errors.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    expect(res.body.data.steps[0]!.error).toEqual({ name: "Error", message: "broke 2" });
  });

  it("links an invoke step to the run it started, and that run back to its parent and step", async () => {
    const t = Date.UTC(2022, 0, 2);
    const [trigger] = await seedEvents([{ name: "view/parent", receivedAt: t }]);
    const parentId = ulid(t);
    const [invoked, other] = await seedEvents([
      {
        name: "inngest/function.invoked",
        receivedAt: t + 10,
        data: { n: 1, _inngest: { source_run_id: parentId, correlation_id: `${parentId}.inv`, fn_id: `${APP_ID}-child` } },
      },
      // Another parent's invoke, to show the lookup is by correlation id.
      { name: "inngest/function.invoked", receivedAt: t + 11, data: { _inngest: { source_run_id: "other", correlation_id: "other.inv" } } },
    ]);
    const childId = ulid(t + 10);
    await seedRuns([
      { id: parentId, functionId: `${APP_ID}-parent`, appId: APP_ID, eventId: trigger!.internalId, status: "running", queuedAt: t, startedAt: t },
      {
        id: childId,
        functionId: `${APP_ID}-child`,
        appId: APP_ID,
        eventId: invoked!.internalId,
        status: "completed",
        queuedAt: t + 10,
        startedAt: t + 12,
        endedAt: t + 20,
      },
      {
        id: ulid(t + 11),
        functionId: `${APP_ID}-child`,
        appId: APP_ID,
        eventId: other!.internalId,
        status: "completed",
        queuedAt: t + 11,
        startedAt: t + 12,
        endedAt: t + 20,
      },
    ]);
    await env.DB.batch([
      insertStep(parentId, "prep", { status: "completed", startedAt: t, endedAt: t + 5, seq: 0 }),
      insertStep(parentId, "inv", { op: "InvokeFunction", status: "running", startedAt: t + 5, endedAt: null, seq: 1 }),
    ]);
    const parent = await getJson<{ data: { steps: { step_id: string; invoked_run_id: string | null }[]; invoked_by: unknown } }>(`/v0/runs/${parentId}`);
    expect(parent.body.data.steps.map((s) => [s.step_id, s.invoked_run_id])).toEqual([
      ["prep", null],
      ["inv", childId],
    ]);
    expect(parent.body.data.invoked_by).toBeNull();
    const child = await getJson<{ data: { invoked_by: unknown } }>(`/v0/runs/${childId}`);
    expect(child.body.data.invoked_by).toEqual({ run_id: parentId, step_id: "inv" });
  });
});

describe("GET /v0/events/:id/effects", () => {
  it("counts and lists the waits an event resumed and the runs it cancelled, with names", async () => {
    const t = Date.UTC(2022, 0, 4);
    const [trigger, go] = await seedEvents([
      { name: "view/hold", receivedAt: t },
      { name: "view/go", receivedAt: t + 100 },
    ]);
    const waiting = ulid(t);
    const stopped = ulid(t + 1);
    await seedRuns([
      {
        id: waiting,
        functionId: `${APP_ID}-waiter`,
        appId: APP_ID,
        eventId: trigger!.internalId,
        status: "completed",
        queuedAt: t,
        startedAt: t,
        endedAt: t + 200,
      },
      {
        id: stopped,
        functionId: `${APP_ID}-stoppable`,
        appId: APP_ID,
        eventId: trigger!.internalId,
        status: "cancelled",
        queuedAt: t,
        startedAt: t,
        endedAt: t + 150,
      },
    ]);
    await env.DB.batch([
      insertStep(waiting, "w1", { op: "WaitForEvent", status: "completed", startedAt: t, endedAt: t + 120, seq: 0 }),
      env.DB.prepare(
        "INSERT INTO event_effects (event_id, run_id, kind, step_id, created_at) VALUES (?, ?, 'resumed', 'w1', ?), (?, ?, 'cancelled', '', ?)",
      ).bind(go!.internalId, waiting, t + 110, go!.internalId, stopped, t + 120),
    ]);
    const res = await getJson<{ data: unknown }>(`/v0/events/${go!.internalId}/effects`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      resumed_count: 1,
      cancelled_count: 1,
      resumed: [{ run_id: waiting, function_id: `${APP_ID}-waiter`, function_name: null, step_id: "w1", step_name: "w1", at: new Date(t + 110).toISOString() }],
      cancelled: [
        { run_id: stopped, function_id: `${APP_ID}-stoppable`, function_name: null, step_id: null, step_name: null, at: new Date(t + 120).toISOString() },
      ],
    });
    const none = await getJson<{ data: unknown }>(`/v0/events/${trigger!.internalId}/effects`);
    expect(none.body.data).toEqual({ resumed_count: 0, cancelled_count: 0, resumed: [], cancelled: [] });
    expect((await getJson(`/v0/events/${ulid(t)}/effects`)).status).toBe(404);
  });
});

describe("/v0 and /v1 where they overlap", () => {
  it("spell a run's status and times, and an event's receive time, the same way", async () => {
    const t = Date.UTC(2022, 0, 3);
    const [event] = await seedEvents([{ name: "view/same", receivedAt: t }]);
    const done = ulid(t);
    const waiting = ulid(t + 1);
    await seedRuns([
      { id: done, functionId: `${APP_ID}-same`, appId: APP_ID, eventId: event!.internalId, status: "failed", queuedAt: t, startedAt: t + 5, endedAt: t + 9 },
      { id: waiting, functionId: `${APP_ID}-same`, appId: APP_ID, eventId: event!.internalId, status: "queued", queuedAt: t + 1 },
    ]);
    for (const id of [done, waiting]) {
      const v0 = (await getJson<{ data: { run: Record<string, unknown> } }>(`/v0/runs/${id}`)).body.data.run;
      const v1 = (await getJson<{ data: Record<string, unknown> }>(`/v1/runs/${id}`)).body.data;
      for (const key of ["status", "queued_at", "ended_at"]) expect(v0[key], `${id} ${key}`).toEqual(v1[key]);
    }
    const v0Done = (await getJson<{ data: { run: Record<string, unknown> } }>(`/v0/runs/${done}`)).body.data.run;
    expect(v0Done).toMatchObject({ status: "Failed", queued_at: new Date(t).toISOString(), started_at: new Date(t + 5).toISOString() });
    expect((await getJson<{ data: { run: Record<string, unknown> } }>(`/v0/runs/${waiting}`)).body.data.run).toMatchObject({
      status: "Running",
      started_at: null,
    });

    const listed = (await getJson<{ data: Record<string, unknown>[] }>(`/v0/events?name=view/same`)).body.data;
    const v1Event = (await getJson<{ data: Record<string, unknown> }>(`/v1/events/${event!.internalId}`)).body.data;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.received_at).toBe(v1Event.received_at);
    expect(listed[0]!.status).toBe(v1Event.status);
  });
});

describe("GET /v0/metrics", () => {
  it("counts runs started and ended, latency, step duration and backlog per bucket, for a function and overall", async () => {
    const now = Date.now();
    const fn = `${APP_ID}-metered`;
    const at = now - 30 * MINUTE;
    const [e1, e2, e3] = await seedEvents([
      { name: "view/m", receivedAt: at },
      { name: "view/m", receivedAt: at + 1 },
      { name: "view/m", receivedAt: at + 2 },
    ]);
    const ok = ulid(at);
    const bad = ulid(at + 1);
    await seedRuns([
      // Started 4 s after its event; two steps of 1 s and 3 s; a sleep that does not count.
      { id: ok, functionId: fn, appId: APP_ID, eventId: e1!.internalId, status: "completed", queuedAt: at + 1_000, startedAt: at + 4_000, endedAt: at + 9_000 },
      { id: bad, functionId: fn, appId: APP_ID, eventId: e2!.internalId, status: "failed", queuedAt: at + 1_000, startedAt: at + 2_001, endedAt: at + 3_000 },
      // Still waiting to start: the backlog.
      { id: ulid(at + 2), functionId: fn, appId: APP_ID, eventId: e3!.internalId, status: "queued", queuedAt: at + 2_000 },
    ]);
    await env.DB.batch([
      insertStep(ok, "a", { status: "completed", startedAt: at + 4_000, endedAt: at + 5_000, seq: 0 }),
      insertStep(ok, "b", { status: "completed", startedAt: at + 5_000, endedAt: at + 8_000, seq: 1 }),
      insertStep(ok, "nap", { op: "Sleep", status: "completed", startedAt: at + 1_000, endedAt: at + 8_500, seq: 2 }),
    ]);

    const res = await getJson<{ data: Metrics }>(`/v0/metrics?hours=1&function_id=${fn}`);
    expect(res.status).toBe(200);
    const m = res.body.data;
    expect(m.function_id).toBe(fn);
    expect(m.buckets).toHaveLength(METRICS_BUCKETS);
    expect(m.bucket_ms * METRICS_BUCKETS).toBe(m.to - m.from);
    expect(m.functions).toBeUndefined();
    const total = (key: keyof MetricsBucket) => m.buckets.reduce((n, b) => n + Number(b[key] ?? 0), 0);
    expect([total("started"), total("completed"), total("failed"), total("cancelled"), total("steps")]).toEqual([2, 1, 1, 0, 2]);
    const measured = m.buckets.filter((b) => b.latency_avg_ms !== null);
    expect(measured).toHaveLength(1);
    // Both runs started in one bucket: 4 000 ms and 2 000 ms after their events.
    expect([measured[0]!.latency_avg_ms, measured[0]!.latency_max_ms]).toEqual([3_000, 4_000]);
    const stepped = m.buckets.find((b) => b.steps > 0)!;
    expect([stepped.step_avg_ms, stepped.step_max_ms]).toEqual([2_000, 3_000]);
    expect(m.buckets[0]!.backlog).toBe(0);
    expect(m.buckets.at(-1)!.backlog).toBe(1);

    const all = await getJson<{ data: Metrics }>("/v0/metrics?hours=1");
    expect(all.body.data.functions).toContainEqual({ function_id: fn, name: null, started: 2, completed: 1, failed: 1, cancelled: 0 });
    // A function without runs has empty buckets.
    const other = await getJson<{ data: Metrics }>(`/v0/metrics?function_id=${APP_ID}-none`);
    expect(other.body.data.buckets.every((b) => b.started === 0 && b.backlog === 0)).toBe(true);
  });

  it("answers 400 for a window that is not a whole number of hours within the limit", async () => {
    for (const hours of ["0", "-1", "1.5", "abc", String(METRICS_MAX_WINDOW_HOURS + 1), ""]) {
      const res = await getJson<{ error: string }>(`/v0/metrics?hours=${hours}`);
      expect(res.status, hours).toBe(400);
      expect(res.body.error).toMatch(/hours/);
    }
    expect((await getJson("/v0/metrics?function_id=")).status).toBe(400);
  });
});
