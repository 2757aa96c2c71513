/**
 * The Worker's read API, end to end inside workerd: events go in through `POST /e/:key`, the real
 * Queue delivers them to the consumer, RunObjects call an official-SDK app served in-process, and
 * the runs they record in D1 come back out of Inngest's REST v1 routes.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest, NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { httpFunctionConfig } from "./helpers/function-config";
import { clearAlarm, driveToEnd, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { postEvents, workerFetch } from "./helpers/worker";

const APP_ID = "api-app";
const APP_URL = "http://app.test/api/inngest";
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface ApiRun {
  run_id: string;
  event_id: string;
  function_id: string;
  status: string;
  run_started_at: string;
  ended_at: string | null;
  output: unknown;
}

/** What the SDK syncs for a function of the test app with one event trigger. */
const config = (slug: string, event: string) => httpFunctionConfig(APP_ID, APP_URL, slug, event);

const runIds: string[] = [];

beforeAll(async () => {
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "done", triggers: [{ event: "api/done" }] }, async ({ event, step }) => {
      const doubled = await step.run("double", () => (event.data as { n: number }).n * 2);
      return { doubled };
    }),
    client.createFunction({ id: "broken", triggers: [{ event: "api/broken" }] }, async () => {
      throw new NonRetriableError("broken on purpose");
    }),
    client.createFunction({ id: "sleepy", triggers: [{ event: "api/sleepy" }] }, async ({ step }) => {
      await step.sleep("long-nap", "1h");
    }),
  ];
  installFetchRouter().route("http://app.test", sdkHandler(client, functions));
  await saveApp(env.DB, { id: APP_ID, url: APP_URL }, [config("done", "api/done"), config("broken", "api/broken"), config("sleepy", "api/sleepy")], Date.now());
});

afterAll(async () => {
  for (const runId of runIds) {
    await runStub(runId).cancel();
    await driveToEnd(runId);
    await clearAlarm(runId);
  }
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

async function getJson<T>(path: string): Promise<{ status: number; body: T; kind: string | null }> {
  const res = await workerFetch(path);
  return { status: res.status, body: (await res.json()) as T, kind: res.headers.get("x-inngest-server-kind") };
}

/** Sends one event and waits until it started one run that reached `status` in the API. */
async function runFor(name: string, data: Record<string, unknown>, status: string) {
  const sent = await postEvents({ name, data });
  expect(sent.status).toBe(200);
  const eventId = sent.body.ids[0]!;
  const runs = await waitFor(
    `the run for ${name} to be ${status}`,
    async () => {
      const res = await getJson<{ data: ApiRun[] }>(`/v1/events/${eventId}/runs`);
      return res.body.data.length === 1 && res.body.data[0]!.status === status ? res.body : undefined;
    },
    15_000,
  );
  runIds.push(runs.data[0]!.run_id);
  return { eventId, runs };
}

describe("GET /health", () => {
  it("answers ok in dev mode", async () => {
    expect(await getJson("/health")).toEqual({ status: 200, body: { status: "ok", mode: "dev" }, kind: "dev" });
  });
});

describe("Inngest v1 REST: events and runs", () => {
  it("shows a stored event with its received time and routing status", async () => {
    const sent = await postEvents({ name: "api/unmatched", data: { a: 1 }, id: "sender-id-1" });
    const eventId = sent.body.ids[0]!;
    // History is written behind the ingest path: the event is readable within about a second.
    const res = await waitFor("the event in the API", async () => {
      const found = await getJson<{ data: Record<string, unknown>; metadata: Record<string, unknown> }>(`/v1/events/${eventId}`);
      return found.status === 200 ? found : undefined;
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      internal_id: eventId,
      id: "sender-id-1",
      name: "api/unmatched",
      data: { a: 1 },
      user: {},
      ts: expect.any(Number),
      received_at: expect.stringMatching(ISO),
    });
    expect(["pending", "routed"]).toContain(res.body.data["status"]);
    expect(res.body.metadata).toEqual({ fetched_at: expect.stringMatching(ISO), cached_until: null });
  });

  it("lists a completed run for its event and shows it by id", async () => {
    const { eventId, runs } = await runFor("api/done", { n: 21 }, "Completed");
    expect(runs).toEqual({
      data: [
        expect.objectContaining({
          event_id: eventId,
          function_id: `${APP_ID}-done`,
          status: "Completed",
          output: { doubled: 42 },
          run_started_at: expect.stringMatching(ISO),
          ended_at: expect.stringMatching(ISO),
        }),
      ],
      metadata: { fetched_at: expect.stringMatching(ISO), cached_until: null },
    });
    const run = runs.data[0]!;
    const one = await getJson<{ data: ApiRun; metadata: unknown }>(`/v1/runs/${run.run_id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(run);
    expect(Date.parse(run.ended_at!)).toBeGreaterThanOrEqual(Date.parse(run.run_started_at));
  });

  it("shows a failed run as Failed, without output", async () => {
    const { runs } = await runFor("api/broken", {}, "Failed");
    expect(runs.data[0]).toMatchObject({ function_id: `${APP_ID}-broken`, output: null, ended_at: expect.stringMatching(ISO) });
  });

  it("shows a run that is still under way as Running", async () => {
    const { runs } = await runFor("api/sleepy", {}, "Running");
    const run = runs.data[0]!;
    expect(run).toMatchObject({ function_id: `${APP_ID}-sleepy`, ended_at: null, output: null });
    // Running because it sleeps, not because it never started.
    await waitFor("the run to sleep", async () => ((await runStub(run.run_id).status())?.status === "running" ? true : undefined));
  });

  it("answers 404 with a JSON error for an unknown event or run", async () => {
    expect(await getJson("/v1/events/01JUNKNOWNEVENT0000000000000")).toMatchObject({
      status: 404,
      body: { status: 404, error: expect.stringContaining("not found") },
    });
    expect(await getJson("/v1/runs/01JUNKNOWNRUN000000000000000")).toMatchObject({
      status: 404,
      body: { status: 404, error: expect.stringContaining("not found") },
    });
  });
});

describe("unknown routes", () => {
  it("answers 404 with a JSON body naming the route", async () => {
    const res = await workerFetch("/no/such/route", { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: "no route for POST /no/such/route", status: 404 });
  });
});
