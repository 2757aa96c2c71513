/**
 * The REST API's reads over D1 history, through the Worker's fetch handler: Inngest's v1 event
 * list (name, time range, cursor, limit) and the dashboard's `/v0` event stream, run list and run
 * timeline. History rows are seeded directly, at fixed past times, so every answer is exact.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { saveApp } from "../../src/sync/store";
import type { FunctionConfig } from "../../src/sync/function-config";
import { getJson, seedEvents, seedRuns, type Page, type SeededEvent } from "./helpers/history";

/** 2021-01-01T00:00:00Z: far from anything other test files store now. */
const T0 = Date.UTC(2021, 0, 1);
const MINUTE = 60_000;
const APP_ID = "rest-hist";
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface ApiEvent {
  internal_id: string;
  name: string;
  data: Record<string, unknown>;
  received_at: string;
}
interface UiEvent {
  internal_id: string;
  name: string;
  run_count: number;
  received_at: number;
}
interface UiRun {
  run_id: string;
  function_id: string;
  function_name: string;
  event_name: string | null;
  status: string;
  queued_at: string;
  started_at: string | null;
}

/** RFC 3339, as /v0 and /v1 both give times. */
const iso = (ms: number) => new Date(ms).toISOString();

let pageEvents: SeededEvent[];
let orders: SeededEvent[];

function fn(slug: string): FunctionConfig {
  const id = `${APP_ID}-${slug}`;
  return {
    id,
    name: `${slug} function`,
    triggers: [{ event: `hist/${slug}` }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `http://hist.test/api?fnId=${id}&stepId=step` } } },
  } as FunctionConfig;
}

beforeAll(async () => {
  // 25 events one minute apart, newest last.
  pageEvents = await seedEvents(Array.from({ length: 25 }, (_, i) => ({ name: "hist/page", data: { i }, receivedAt: T0 + i * MINUTE })));
  orders = await seedEvents([
    { name: "hist/order", data: { userId: 42, vip: true, tags: ["a"] }, receivedAt: T0 + 100 * MINUTE },
    { name: "hist/order", data: { userId: "42" }, receivedAt: T0 + 101 * MINUTE },
    { name: "hist/order", data: { userId: 7, address: { city: "Oslo" } }, receivedAt: T0 + 102 * MINUTE },
    { name: "inngest/function.finished", data: { userId: 42 }, receivedAt: T0 + 103 * MINUTE },
  ]);
  await saveApp(env.DB, { id: APP_ID, url: "http://hist.test/api" }, [fn("a"), fn("b")], Date.now());
  const statuses = ["completed", "failed", "running", "queued", "cancelled"] as const;
  await seedRuns(
    Array.from({ length: 10 }, (_, i) => ({
      id: ulid(T0 + i * MINUTE),
      functionId: `${APP_ID}-${i % 2 === 0 ? "a" : "b"}`,
      appId: APP_ID,
      eventId: orders[0]!.internalId,
      status: statuses[i % 5]!,
      queuedAt: T0 + i * MINUTE,
      // A run starts when it leaves `queued`.
      startedAt: statuses[i % 5] === "queued" ? undefined : T0 + i * MINUTE + 10,
    })),
  );
});

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

/** The v1 event list for `hist/page` in the seeded minute range. */
const pageQuery = (extra = "") =>
  `/v1/events?name=hist/page&received_after=${new Date(T0).toISOString()}&received_before=${new Date(T0 + 30 * MINUTE).toISOString()}${extra}`;

describe("GET /v1/events", () => {
  it("lists events newest first, 20 by default, in Inngest's shape with a cursor to the next page", async () => {
    const res = await getJson<Page<ApiEvent> & { metadata: unknown }>(pageQuery());
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(20);
    expect(res.body.data.map((e) => e.data["i"])).toEqual(Array.from({ length: 20 }, (_, k) => 24 - k));
    expect(res.body.data[0]).toEqual({
      internal_id: pageEvents[24]!.internalId,
      id: pageEvents[24]!.internalId,
      name: "hist/page",
      data: { i: 24 },
      ts: T0 + 24 * MINUTE,
      user: {},
      received_at: new Date(T0 + 24 * MINUTE).toISOString(),
      status: "routed",
    });
    expect(res.body.metadata).toEqual({ fetched_at: expect.stringMatching(ISO), cached_until: null });
    expect(res.body.cursor).toBe(res.body.data[19]!.internal_id);
  });

  it("pages by cursor without gaps or repeats, ending with a null cursor", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Page<ApiEvent> } = await getJson<Page<ApiEvent>>(pageQuery(`&limit=10${cursor ? `&cursor=${cursor}` : ""}`));
      seen.push(...res.body.data.map((e) => e.data["i"] as number));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, k) => 24 - k));
  });

  it("filters by received time: after is inclusive, before exclusive; ms since the epoch work too", async () => {
    const res = await getJson<Page<ApiEvent>>(`/v1/events?name=hist/page&received_after=${T0 + 3 * MINUTE}&received_before=${T0 + 6 * MINUTE}`);
    expect(res.body.data.map((e) => e.data["i"])).toEqual([5, 4, 3]);
  });

  it("clamps a limit above the maximum to 100 and a zero limit to the default, as Inngest does", async () => {
    expect((await getJson<Page<ApiEvent>>(pageQuery("&limit=1000"))).body.data).toHaveLength(25);
    expect((await getJson<Page<ApiEvent>>(pageQuery("&limit=0"))).body.data).toHaveLength(20);
  });

  it("searches by a data field: numbers also match the same digits as a string; booleans and nested paths work", async () => {
    const ids = async (field: string) =>
      (await getJson<Page<ApiEvent>>(`/v1/events?name=hist/order&field=${encodeURIComponent(field)}`)).body.data.map((e) => e.internal_id);
    expect(await ids("data.userId=42")).toEqual([orders[1]!.internalId, orders[0]!.internalId]);
    expect(await ids('data.userId="42"')).toEqual([orders[1]!.internalId]);
    expect(await ids("data.vip=true")).toEqual([orders[0]!.internalId]);
    expect(await ids("data.address.city=Oslo")).toEqual([orders[2]!.internalId]);
    expect(await ids("data.tags[0]=a")).toEqual([orders[0]!.internalId]);
    expect(await ids("data.missing=1")).toEqual([]);
  });

  it("answers 400 with a JSON error naming the bad parameter", async () => {
    for (const [query, message] of [
      ["received_after=yesterday", /received_after: "yesterday" is not an RFC 3339 time/],
      ["limit=ten", /limit: must be a whole number/],
      ["cursor=01NOSUCHEVENT000000000000000", /cursor .* names no event/],
      ["field=userId", /field: expected <path>=<value>/],
      ["field=data..x=1", /field: "data..x" is not a field path/],
    ] as const) {
      const res = await getJson<{ status: number; error: string }>(`/v1/events?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 400, error: expect.stringMatching(message) });
    }
  });
});

describe("GET /v0/events (the dashboard's stream)", () => {
  it("leaves out internal events unless asked, and counts each event's runs", async () => {
    const after = `after=${T0 + 100 * MINUTE}&before=${T0 + 104 * MINUTE}`;
    const plain = await getJson<Page<UiEvent>>(`/v0/events?${after}`);
    expect(plain.body.data.map((e) => e.name)).toEqual(["hist/order", "hist/order", "hist/order"]);
    expect(plain.body.data[2]).toMatchObject({ internal_id: orders[0]!.internalId, run_count: 10, received_at: iso(T0 + 100 * MINUTE) });
    const all = await getJson<Page<UiEvent>>(`/v0/events?${after}&internal=1&field=data.userId%3D42`);
    expect(all.body.data.map((e) => e.name)).toEqual(["inngest/function.finished", "hist/order", "hist/order"]);
  });
});

describe("GET /v0/runs", () => {
  const range = `after=${T0}&before=${T0 + 10 * MINUTE}`;

  it("lists runs newest first with function and trigger names", async () => {
    const res = await getJson<Page<UiRun>>(`/v0/runs?${range}`);
    expect(res.body.data).toHaveLength(10);
    expect(res.body.data.map((r) => r.queued_at)).toEqual(Array.from({ length: 10 }, (_, k) => iso(T0 + (9 - k) * MINUTE)));
    expect(res.body.data[0]).toMatchObject({ function_id: `${APP_ID}-b`, function_name: "b function", event_name: "hist/order", status: "Cancelled" });
  });

  it("filters by function, by one or more statuses, and by time, and pages by cursor", async () => {
    const byFn = await getJson<Page<UiRun>>(`/v0/runs?${range}&function_id=${APP_ID}-a`);
    expect(new Set(byFn.body.data.map((r) => r.function_id))).toEqual(new Set([`${APP_ID}-a`]));
    expect(byFn.body.data).toHaveLength(5);

    const active = await getJson<Page<UiRun>>(`/v0/runs?${range}&status=queued,Running`);
    // v1's statuses: a queued run is Running, not started yet.
    expect(active.body.data.map((r) => `${r.status} ${r.started_at === null ? "queued" : "started"}`).sort()).toEqual([
      "Running queued",
      "Running queued",
      "Running started",
      "Running started",
    ]);

    const late = await getJson<Page<UiRun>>(`/v0/runs?after=${T0 + 8 * MINUTE}&before=${T0 + 10 * MINUTE}`);
    expect(late.body.data.map((r) => r.queued_at)).toEqual([iso(T0 + 9 * MINUTE), iso(T0 + 8 * MINUTE)]);

    const first = await getJson<Page<UiRun>>(`/v0/runs?${range}&limit=4`);
    const second = await getJson<Page<UiRun>>(`/v0/runs?${range}&limit=4&cursor=${first.body.cursor}`);
    expect(second.body.data[0]!.queued_at).toBe(iso(T0 + 5 * MINUTE));
  });

  it("rejects an unknown status with the allowed values", async () => {
    const res = await getJson<{ status: number; error: string }>("/v0/runs?status=paused");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^status\.0: .*"queued"/);
  });
});

describe("GET /v0/runs/:id (a run's timeline)", () => {
  it("returns the run, its steps in order with parsed outputs and errors, and its trigger event", async () => {
    const runId = ulid(T0 + 200 * MINUTE);
    await seedRuns([
      {
        id: runId,
        functionId: `${APP_ID}-a`,
        appId: APP_ID,
        eventId: orders[2]!.internalId,
        status: "completed",
        queuedAt: T0,
        startedAt: T0 + 5,
        endedAt: T0 + 2_000,
        output: { ok: true },
      },
    ]);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h1', 'fetch', 'StepRun', 'completed', 2, '{\"n\":1}', NULL, ?, ?, 0)",
      ).bind(runId, T0 + 10, T0 + 900),
      env.DB.prepare(
        "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h2', 'nap', 'Sleep', 'completed', 1, 'null', NULL, ?, ?, 1)",
      ).bind(runId, T0 + 900, T0 + 1_900),
    ]);
    const res = await getJson<{ data: Record<string, unknown> }>(`/v0/runs/${runId}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      run: expect.objectContaining({ run_id: runId, status: "Completed", output: { ok: true }, queued_at: iso(T0), ended_at: iso(T0 + 2_000) }),
      steps: [
        {
          step_id: "h1",
          name: "fetch",
          op: "StepRun",
          status: "completed",
          attempts: 2,
          output: { n: 1 },
          error: null,
          attempt_errors: [],
          started_at: iso(T0 + 10),
          ended_at: iso(T0 + 900),
          invoked_run_id: null,
        },
        {
          step_id: "h2",
          name: "nap",
          op: "Sleep",
          status: "completed",
          attempts: 1,
          output: null,
          error: null,
          attempt_errors: [],
          started_at: iso(T0 + 900),
          ended_at: iso(T0 + 1_900),
          invoked_run_id: null,
        },
      ],
      event: expect.objectContaining({ internal_id: orders[2]!.internalId, name: "hist/order" }),
      invoked_by: null,
      rerun_of: null,
      reruns: [],
    });
    expect((await getJson(`/v0/runs/${ulid(T0)}`)).status).toBe(404);
  });
});
