/**
 * The REST API's actions against real RunObjects and an official-SDK app served in-process:
 * cancelling one run (`DELETE /v1/runs/:id`) or many (`POST /v1/cancellations`, with an `if`
 * over the trigger event), rerunning a run from the start or from a chosen step, invoking a
 * function with a payload, and sending an event from the dashboard.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BULK_CANCEL_MAX_EXAMINED, MAX_EXPRESSION_LENGTH } from "../../src/constants";
import type { HistoryMessage } from "../../src/runner/history-message";
import { recordQueuedRuns } from "../../src/history/record-runs";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import type { FunctionConfig } from "../../src/sync/function-config";
import { httpFunctionConfig } from "./helpers/function-config";
import { getJson, seedEvents, seedRuns, sendJson } from "./helpers/history";
import { clearAlarm, driveToEnd, historyRun, historySteps, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "rest-act";
const APP_URL = "http://act.test/api/inngest";
/** Nothing answers here: runs pointed at it keep retrying, i.e. stay active until cancelled. */
const DEAD_URL = "http://unreachable.test/api/inngest";

/** How many times each step body ran, by step id. */
const ran = new Map<string, number>();
const count = (id: string) => ran.set(id, (ran.get(id) ?? 0) + 1).get(id)!;
const started: string[] = [];

/** A function of the test app whose step is served at `url`. */
const config = (slug: string, event: string, url = APP_URL) => httpFunctionConfig(APP_ID, url, slug, event);

beforeAll(async () => {
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "three-steps", triggers: [{ event: "act/three" }] }, async ({ event, step }) => {
      const a = await step.run("a", () => (count("a"), (event.data as { n?: number }).n ?? 1));
      const b = await step.run("b", () => (count("b"), a + 1));
      const c = await step.run("c", () => (count("c"), a + b));
      return { a, b, c };
    }),
  ];
  installFetchRouter().route("http://act.test", sdkHandler(client, functions));
  await saveApp(env.DB, { id: APP_ID, url: APP_URL }, [config("three-steps", "act/three"), config("stuck", "act/stuck", DEAD_URL)], Date.now());
});

afterAll(async () => {
  for (const runId of started) {
    await runStub(runId).cancel();
    await driveToEnd(runId);
    await clearAlarm(runId);
  }
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

/** The event each function is triggered by. */
const TRIGGER: Record<string, string> = { "three-steps": "act/three", stuck: "act/stuck" };

/** Starts a run of `slug` for a stored event with `data`, recorded in history as the router does. */
async function startRun(slug: string, data: Record<string, unknown>, url = APP_URL) {
  const name = TRIGGER[slug]!;
  const [event] = await seedEvents([{ name, data, receivedAt: Date.now() }]);
  const start = runStart(url, APP_ID, slug, name, {
    eventId: event!.internalId,
    events: [{ name, data, id: event!.internalId, ts: event!.receivedAt, user: {} }],
  });
  await runStub(start.runId).start(start);
  await recordQueuedRuns(env.DB, [{ runId: start.runId, functionId: start.functionId, appId: APP_ID, eventId: event!.internalId }], Date.now()).run();
  started.push(start.runId);
  return start.runId;
}

describe("DELETE /v1/runs/:id", () => {
  it("cancels an active run, reports an ended one as not cancelled, and 404s an unknown one", async () => {
    const runId = await startRun("stuck", {}, DEAD_URL);
    const res = await sendJson<{ data: unknown }>("DELETE", `/v1/runs/${runId}`);
    expect(res).toMatchObject({ status: 200, body: { data: { run_id: runId, cancelled: true } } });
    expect((await driveToEnd(runId)).run.status).toBe("cancelled");
    await waitFor("history to say Cancelled", async () => {
      const run = await getJson<{ data: { status: string } }>(`/v1/runs/${runId}`);
      return run.body.data.status === "Cancelled" ? true : undefined;
    });
    expect((await sendJson("DELETE", `/v1/runs/${runId}`)).body).toMatchObject({ data: { run_id: runId, cancelled: false } });
    expect(await sendJson("DELETE", `/v1/runs/${ulid()}`)).toMatchObject({ status: 404, body: { status: 404 } });
  });

  it("cancels a run that has just started, before its history reaches D1", async () => {
    // The run's history messages are held back, so D1 has no row for it while it is cancelled.
    const held: HistoryMessage[] = [];
    const send = vi.spyOn(env.HISTORY, "sendBatch").mockImplementation(async (messages) => {
      for (const m of messages) held.push(m.body);
      return undefined as never;
    });
    try {
      const [event] = await seedEvents([{ name: "act/stuck", receivedAt: Date.now() }]);
      const start = runStart(DEAD_URL, APP_ID, "stuck", "act/stuck", { eventId: event!.internalId });
      started.push(start.runId);
      await runStub(start.runId).start(start);
      await waitFor("the run to send its history", async () => (held.some((m) => "runId" in m && m.runId === start.runId) ? true : undefined));
      expect(await historyRun(start.runId)).toBeUndefined();
      const res = await sendJson<{ data: unknown }>("DELETE", `/v1/runs/${start.runId}`);
      expect(res).toMatchObject({ status: 200, body: { data: { run_id: start.runId, cancelled: true } } });
      expect((await runStub(start.runId).status())?.status).toBe("cancelled");
      expect(await sendJson("DELETE", `/v1/runs/${start.runId}`)).toMatchObject({ status: 200, body: { data: { cancelled: false } } });
    } finally {
      send.mockRestore();
    }
  });

  it("404s an unknown run id without storing anything for it, and 400s an id that is not a ULID", async () => {
    const unknown = ulid();
    expect(await sendJson("DELETE", `/v1/runs/${unknown}`)).toMatchObject({ status: 404, body: { status: 404, error: `run ${unknown} not found` } });
    const stored = await runInDurableObject(runStub(unknown), async (_instance, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((t) => t.name)
        .filter((name) => !/^(_cf_|sqlite_)/.test(name)),
      keys: [...state.storage.kv.list()].length,
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ tables: [], keys: 0, alarm: null });
    for (const junk of ["01ABC", "not-a-run", unknown.toLowerCase(), `${unknown}0`]) {
      const res = await sendJson<{ status: number; error: string }>("DELETE", `/v1/runs/${encodeURIComponent(junk)}`);
      expect(res, junk).toMatchObject({ status: 400, body: { status: 400, error: expect.stringMatching(/^run id must be a ULID/) } });
    }
  });
});

/** 10^8 iterations: eight `all()` calls nested over ten-element lists. */
const costlyExpression = Array.from({ length: 8 }, (_, i) => i).reduce((body, i) => `[0,1,2,3,4,5,6,7,8,9].all(v${i}, ${body})`, "true");

describe("POST /v1/cancellations", () => {
  it("cancels the function's active runs in the time range whose trigger matches `if`", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const vip = await startRun("stuck", { userId: 1 }, DEAD_URL);
    const other = await startRun("stuck", { userId: 2 }, DEAD_URL);
    const res = await sendJson<{ data: Record<string, unknown> }>("POST", "/v1/cancellations", {
      app_id: APP_ID,
      function_id: "stuck",
      started_after: from,
      started_before: new Date().toISOString(),
      if: "event.data.userId == 1",
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: expect.any(String),
      app_id: APP_ID,
      function_id: `${APP_ID}-stuck`,
      if: "event.data.userId == 1",
      matched: 1,
      cancelled: 1,
      complete: true,
    });
    expect((await runStub(vip).status())?.status).toBe("cancelled");
    expect((await runStub(other).status())?.status).not.toBe("cancelled");

    const all = await sendJson<{ data: Record<string, unknown> }>("POST", "/v1/cancellations", {
      app_id: APP_ID,
      function_id: `${APP_ID}-stuck`,
      started_after: from,
      started_before: new Date().toISOString(),
    });
    // The first run may still read as active in history until it flushes; it is not cancelled twice.
    expect(all.body.data).toMatchObject({ cancelled: 1, complete: true });
    expect((await runStub(other).status())?.status).toBe("cancelled");
  });

  it(`examines at most ${BULK_CANCEL_MAX_EXAMINED} runs per request, answers with a cursor, and goes on from it`, async () => {
    // More active runs than one request examines, none matching `if`, queued before one that
    // does, in an hour of the past no other test's runs were queued in.
    const base = Date.now() - 24 * 60 * 60 * 1000;
    const [event] = await seedEvents([{ name: "act/stuck", data: { userId: 7 }, receivedAt: base }]);
    const seeded = Array.from({ length: BULK_CANCEL_MAX_EXAMINED + 5 }, (_, i) => ({
      id: ulid(base + i),
      functionId: `${APP_ID}-stuck`,
      appId: APP_ID,
      eventId: event!.internalId,
      status: "queued" as const,
      queuedAt: base + i,
    }));
    for (let i = 0; i < seeded.length; i += 500) await seedRuns(seeded.slice(i, i + 500));
    const wantedAt = base + seeded.length;
    const [wantedEvent] = await seedEvents([{ name: "act/stuck", data: { userId: 8 }, receivedAt: wantedAt }]);
    const trigger = { name: "act/stuck", data: { userId: 8 }, id: wantedEvent!.internalId, ts: wantedAt, user: {} };
    const start = runStart(DEAD_URL, APP_ID, "stuck", "act/stuck", { eventId: wantedEvent!.internalId, events: [trigger], queuedAt: wantedAt });
    started.push(start.runId);
    await runStub(start.runId).start(start);
    await recordQueuedRuns(env.DB, [{ runId: start.runId, functionId: start.functionId, appId: APP_ID, eventId: wantedEvent!.internalId }], wantedAt).run();
    const wanted = start.runId;
    const request = (cursor?: string) =>
      sendJson<{ data: Record<string, unknown> }>("POST", "/v1/cancellations", {
        app_id: APP_ID,
        function_id: "stuck",
        started_after: new Date(base).toISOString(),
        started_before: new Date(base + 60 * 60 * 1000).toISOString(),
        if: "event.data.userId == 8",
        ...(cursor === undefined ? {} : { cursor }),
      });

    const first = await request();
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ examined: BULK_CANCEL_MAX_EXAMINED, matched: 0, cancelled: 0, complete: false, cursor: expect.any(String) });
    expect((await runStub(wanted).status())?.status).not.toBe("cancelled");

    const rest = await request(first.body.data["cursor"] as string);
    expect(rest.body.data).toMatchObject({ examined: 6, matched: 1, cancelled: 1, complete: true, cursor: null });
    expect((await runStub(wanted).status())?.status).toBe("cancelled");
    await env.DB.prepare("UPDATE runs SET status = 'cancelled' WHERE id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(seeded.map((r) => r.id)))
      .run();
  });

  it("answers 400 for a bad body or expression and 404 for an unknown function", async () => {
    const now = new Date().toISOString();
    const cases: [unknown, number, RegExp][] = [
      ["{", 400, /not valid JSON/],
      [{ app_id: APP_ID, function_id: "stuck" }, 400, /started_before/],
      [{ app_id: APP_ID, function_id: "stuck", started_before: "2999-01-01T00:00:00Z" }, 400, /must be in the past/],
      [{ app_id: APP_ID, function_id: "stuck", started_after: now, started_before: "2020-01-01T00:00:00Z" }, 400, /started_after must be before/],
      [{ app_id: APP_ID, function_id: "stuck", started_before: now, if: "event.data.x ==" }, 400, /^if: invalid expression/],
      [{ app_id: APP_ID, function_id: "stuck", started_before: now, if: "a".repeat(MAX_EXPRESSION_LENGTH + 1) }, 400, /^if: .*4096/],
      [{ app_id: APP_ID, function_id: "stuck", started_before: now, if: costlyExpression }, 400, /^if: invalid expression: expression is too costly/],
      [{ app_id: APP_ID, function_id: "stuck", started_before: now, cursor: "01ABC" }, 400, /^cursor: /],
      [{ app_id: APP_ID, function_id: "nope", started_before: now }, 404, /function nope not found/],
    ];
    for (const [body, status, error] of cases) {
      const res = await sendJson<{ status: number; error: string }>("POST", "/v1/cancellations", body);
      expect(res, JSON.stringify(body)).toMatchObject({ status, body: { status, error: expect.stringMatching(error) } });
    }
  });
});

describe("POST /v0/runs/:id/rerun", () => {
  it("reruns every step from the start, or only from a chosen step with earlier results reused", async () => {
    const original = await startRun("three-steps", { n: 5 });
    expect((await driveToEnd(original)).run.status).toBe("completed");
    ran.clear();

    const full = await sendJson<{ data: { run_id: string } }>("POST", `/v0/runs/${original}/rerun`);
    expect(full.status).toBe(200);
    started.push(full.body.data.run_id);
    expect((await driveToEnd(full.body.data.run_id)).run.status).toBe("completed");
    expect(Object.fromEntries(ran)).toEqual({ a: 1, b: 1, c: 1 });

    ran.clear();
    const stepB = (await historySteps(original)).find((s) => s.name === "b")!;
    const partial = await sendJson<{ data: { run_id: string } }>("POST", `/v0/runs/${original}/rerun`, { from_step: stepB.step_id });
    const rerunId = partial.body.data.run_id;
    started.push(rerunId);
    expect((await driveToEnd(rerunId)).run.status).toBe("completed");
    expect(Object.fromEntries(ran)).toEqual({ b: 1, c: 1 });

    const detail = await waitFor("the rerun's history", async () => {
      const res = await getJson<{ data: { run: { status: string; output: unknown; event_id: string }; rerun_of: unknown } }>(`/v0/runs/${rerunId}`);
      return res.body.data.run.status === "Completed" ? res.body.data : undefined;
    });
    expect(detail.run.output).toEqual({ a: 5, b: 6, c: 11 });
    expect(detail.rerun_of).toEqual({ run_id: original, from_step: stepB.step_id, from_step_name: "b" });
    const originalDetail = await getJson<{ data: { run: { event_id: string }; reruns: { run_id: string }[] } }>(`/v0/runs/${original}`);
    expect(originalDetail.body.data.reruns.map((r) => r.run_id)).toEqual([full.body.data.run_id, rerunId]);
    // A rerun belongs to the same event as the run it repeats.
    expect(detail.run.event_id).toBe(originalDetail.body.data.run.event_id);
  });

  it("404s an unknown run", async () => {
    expect(await sendJson("POST", `/v0/runs/${ulid()}/rerun`)).toMatchObject({ status: 404, body: { status: 404 } });
  });
});

describe("POST /v0/functions/:id/invoke and POST /v0/events", () => {
  it("invokes a function with a payload: an inngest/function.invoked event routed to it alone", async () => {
    const res = await sendJson<{ data: { event_id: string } }>("POST", `/v0/functions/${APP_ID}-three-steps/invoke`, { data: { n: 10 } });
    expect(res.status).toBe(200);
    const eventId = res.body.data.event_id;
    // History is written behind the hot path: the event is readable within about a second.
    const event = await waitFor("the invoke event in the API", async () => {
      const found = await getJson<{ data: { name: string; data: unknown } }>(`/v1/events/${eventId}`);
      return found.status === 200 ? found : undefined;
    });
    expect(event.body.data).toMatchObject({ name: "inngest/function.invoked", data: { n: 10 } });
    const runs = await waitFor(
      "the invoked run",
      async () => {
        const list = await getJson<{ data: { run_id: string; function_id: string }[] }>(`/v1/events/${eventId}/runs`);
        return list.body.data.length > 0 ? list.body.data : undefined;
      },
      15_000,
    );
    expect(runs.map((r) => r.function_id)).toEqual([`${APP_ID}-three-steps`]);
    started.push(runs[0]!.run_id);
    expect((await driveToEnd(runs[0]!.run_id)).run.status).toBe("completed");
    expect(await sendJson("POST", `/v0/functions/${APP_ID}-nope/invoke`, {})).toMatchObject({ status: 404 });
    expect(await sendJson("POST", `/v0/functions/${APP_ID}-three-steps/invoke`, { data: [1] })).toMatchObject({
      status: 400,
      body: { error: "data: must be an object" },
    });
  });

  it("stores a sent event with the event API's validation", async () => {
    const ok = await sendJson<{ data: { ids: string[] } }>("POST", "/v0/events", { name: "act/nothing", data: { x: 1 } });
    expect(ok.status).toBe(200);
    const stored = await waitFor("the sent event in the API", async () => {
      const found = await getJson<{ data: { name: string } }>(`/v1/events/${ok.body.data.ids[0]}`);
      return found.status === 200 ? found : undefined;
    });
    expect(stored.body.data.name).toBe("act/nothing");
    const bad = await sendJson<{ status: number; error: string }>("POST", "/v0/events", { data: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/name/);
  });
});

describe("GET /v1/apps/:app/functions", () => {
  it("lists an app's functions with their config, and 404s an unknown app", async () => {
    const res = await getJson<{ data: { id: string; name: string; app_id: string; config: FunctionConfig }[] }>(`/v1/apps/${APP_ID}/functions`);
    expect(res.body.data.map((f) => [f.id, f.name, f.app_id])).toEqual([
      [`${APP_ID}-stuck`, "stuck", APP_ID],
      [`${APP_ID}-three-steps`, "three-steps", APP_ID],
    ]);
    expect(res.body.data[1]!.config.triggers).toEqual([{ event: "act/three" }]);
    expect((await getJson("/v1/apps/no-such-app/functions")).status).toBe(404);
  });
});
