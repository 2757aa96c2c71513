/**
 * Queue redelivery: a Queue delivers at least once, so the consumer sees the same batch again
 * after a crash, a timeout or a retry. Delivering a batch twice (at once, and again after its
 * runs ended), and delivering a batch whose runs had already been started, must leave exactly one
 * run per (event, function) and exactly one of each system event per run. The runs are real: the
 * official SDK serves the app in-process, and the events the runs emit travel the real Queue.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest, NonRetriableError } from "inngest";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { messageFor } from "../../src/ingest/enqueue";
import type { StoredEvent } from "../../src/ingest/event";
import { loadEventsAnywhere, storeInShards } from "../../src/ingest/event-shards";
import { admitRun } from "../../src/routing/admit";
import { runIdFor } from "../../src/runs/run-id";
import { listFunctions } from "../../src/sync/store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { rows } from "./helpers/d1";
import { eventsInHistory } from "./helpers/event-shards";
import { routedHistoryWritten, watchHistoryQueue } from "./helpers/history-queue";
import { sendJson } from "./helpers/history";
import { driveToEnd, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "redeliver";
const APP_URL = "http://redeliver.test/api/inngest";
const FN = { ok: `${APP_ID}-ok`, fails: `${APP_ID}-fails`, failure: `${APP_ID}-fails-failure` };
const SYSTEM_EVENTS = ["inngest/function.finished", "inngest/function.failed", "inngest/function.cancelled"];

/** How many times each step body and failure handler ran, by run id. */
const effects = new Map<string, number>();
function effect(key: string): void {
  effects.set(key, (effects.get(key) ?? 0) + 1);
}

beforeAll(async () => {
  watchHistoryQueue();
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "ok", triggers: [{ event: "rd/ok" }] }, async ({ step, runId }) => step.run("only", () => (effect(`${runId}:only`), "done"))),
    client.createFunction(
      {
        id: "fails",
        retries: 0,
        triggers: [{ event: "rd/fails" }],
        onFailure: ({ event }) => effect(`${event.data.run_id}:onFailure`),
      },
      async ({ step, runId }) => {
        await step.run("boom", () => {
          effect(`${runId}:boom`);
          throw new NonRetriableError("boom");
        });
      },
    ),
  ];
  installFetchRouter().route(new URL(APP_URL).origin, sdkHandler(client, functions));
  const synced = await sendJson<{ ok: boolean }>("POST", "/v0/apps/sync", { url: APP_URL });
  expect(synced).toMatchObject({ status: 200, body: { ok: true } });
});

/** A stored event, as the event API leaves it before the Queue delivers it. */
async function storedEvent(name: string): Promise<StoredEvent> {
  const internalId = ulid();
  const event: StoredEvent = { name, data: {}, ts: Date.now(), user: {}, internalId, id: internalId };
  await storeInShards(env, [{ event }], Date.now());
  return event;
}

/**
 * Delivers one batch to the Worker's queue handler, as the runtime would; returns whether every
 * message of it was acknowledged (each on its own, none retried).
 */
async function deliver(bodies: unknown[]): Promise<boolean> {
  const ids = bodies.map((_, i) => `redelivered-${i}`);
  const batch = createMessageBatch<unknown>(
    "stepflare-events",
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts: 2, body })),
  );
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<typeof env, unknown>)(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return result.retryMessages.length === 0 && !result.retryBatch.retry && [...result.explicitAcks].sort().join() === [...ids].sort().join();
}

/** The Queue messages the server sends for stored events. */
async function messagesFor(internalIds: string[]): Promise<unknown[]> {
  return (await loadEventsAnywhere(env, internalIds)).map((event) => messageFor({ event }).body);
}

/** Run history rows of an event, one per function it started. */
async function runsOf(eventId: string) {
  await routedHistoryWritten();
  return rows<{ id: string; function_id: string; queued_at: number }>(
    "SELECT id, function_id, queued_at FROM runs WHERE event_id = ? ORDER BY function_id",
    eventId,
  );
}

/** The system events stored about run `runId`: their names and internal ids. */
function systemEventsOf(runId: string) {
  return rows<{ name: string; internal_id: string }>(
    `SELECT name, internal_id FROM events
     WHERE name IN (SELECT value FROM json_each(?1)) AND json_extract(data, '$.data.run_id') = ?2 ORDER BY name`,
    JSON.stringify(SYSTEM_EVENTS),
    runId,
  );
}

/** Waits until a run's end events are stored and returns them. */
function endEventsOf(runId: string, count: number) {
  return waitFor(`${count} system event(s) of run ${runId}`, async () => {
    const events = await systemEventsOf(runId);
    return events.length >= count ? events : undefined;
  });
}

describe("Queue redelivery", () => {
  it("delivers a batch twice at once and again after its runs ended: one run per (event, function), one of each system event", async () => {
    const ok = await storedEvent("rd/ok");
    const fails = await storedEvent("rd/fails");
    const batch = await messagesFor([ok.internalId, fails.internalId]);
    const [first, second] = await Promise.all([deliver(batch), deliver(batch)]);
    expect(first && second).toBe(true);

    const okRun = await runIdFor(ok.internalId, FN.ok);
    const failsRun = await runIdFor(fails.internalId, FN.fails);
    expect((await driveToEnd(okRun)).run.status).toBe("completed");
    expect((await driveToEnd(failsRun)).run.status).toBe("failed");
    const okEnd = await endEventsOf(okRun, 1);
    const failsEnd = await endEventsOf(failsRun, 2);
    // The failure event starts the onFailure handler through the real Queue.
    const failed = failsEnd.find((e) => e.name === "inngest/function.failed")!;
    const handlerRun = await runIdFor(failed.internal_id, FN.failure);
    await waitFor(`onFailure run ${handlerRun} to start`, async () => ((await runStub(handlerRun).status()) ? true : undefined));
    expect((await driveToEnd(handlerRun)).run.status).toBe("completed");
    const handlerEnd = await endEventsOf(handlerRun, 1);

    const before = await Promise.all([okRun, failsRun, handlerRun].map((id) => runStub(id).status()));
    const history = { ok: await runsOf(ok.internalId), fails: await runsOf(fails.internalId), failed: await runsOf(failed.internal_id) };
    // The trigger batch and the batch of system events, each delivered twice more.
    const systemBatch = await messagesFor([...okEnd, ...failsEnd, ...handlerEnd].map((e) => e.internal_id));
    for (let k = 0; k < 2; k++) {
      expect(await deliver(batch)).toBe(true);
      expect(await deliver(systemBatch)).toBe(true);
    }

    expect(history.ok).toEqual([expect.objectContaining({ id: okRun, function_id: FN.ok })]);
    expect(history.fails).toEqual([expect.objectContaining({ id: failsRun, function_id: FN.fails })]);
    expect(history.failed).toEqual([expect.objectContaining({ id: handlerRun, function_id: FN.failure })]);
    expect(await runsOf(ok.internalId)).toEqual(history.ok);
    expect(await runsOf(fails.internalId)).toEqual(history.fails);
    expect(await runsOf(failed.internal_id)).toEqual(history.failed);
    // The objects were not started again: same state, nothing new to do.
    expect(await Promise.all([okRun, failsRun, handlerRun].map((id) => runStub(id).status()))).toEqual(before);

    await eventsInHistory();
    expect((await systemEventsOf(okRun)).map((e) => e.name)).toEqual(["inngest/function.finished"]);
    expect((await systemEventsOf(failsRun)).map((e) => e.name)).toEqual(["inngest/function.failed", "inngest/function.finished"]);
    expect((await systemEventsOf(handlerRun)).map((e) => e.name)).toEqual(["inngest/function.finished"]);
    expect(effects.get(`${okRun}:only`)).toBe(1);
    expect(effects.get(`${failsRun}:boom`)).toBe(1);
    expect(effects.get(`${failsRun}:onFailure`)).toBe(1);
  });

  it("delivers a batch whose run had already started: the run is recorded once and runs once", async () => {
    const ok = await storedEvent("rd/ok");
    const fn = (await listFunctions(env.DB)).find((f) => f.id === FN.ok)!;
    // A consumer that died after starting the run, before recording it in history.
    const admitted = await admitRun(env, fn, [ok], Date.now());
    expect(admitted.started).toBe(true);
    const runId = await runIdFor(ok.internalId, FN.ok);
    const started = await runStub(runId).status();
    expect(await runsOf(ok.internalId)).toEqual([]);

    expect(await deliver(await messagesFor([ok.internalId]))).toBe(true);
    const recorded = await runsOf(ok.internalId);
    expect(recorded).toEqual([expect.objectContaining({ id: runId, function_id: FN.ok })]);
    expect((await driveToEnd(runId)).run).toMatchObject({ status: "completed", queued_at: started!.queued_at });
    await endEventsOf(runId, 1);

    expect(await deliver(await messagesFor([ok.internalId]))).toBe(true);
    expect(await runsOf(ok.internalId)).toEqual(recorded);
    await eventsInHistory();
    expect((await systemEventsOf(runId)).map((e) => e.name)).toEqual(["inngest/function.finished"]);
    expect(effects.get(`${runId}:only`)).toBe(1);
  });
});
