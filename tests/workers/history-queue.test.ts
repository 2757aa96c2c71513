/**
 * History behind the hot path: rows travel from a run's object through the history Queue to D1,
 * large values by reference, versions guarded by their sequence number, rows lost on the way
 * sent again until the consumer confirms them, and rows D1 refuses for good skipped.
 */
import { createMessageBatch, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_RETENTION_MS, HISTORY_INLINE_VALUE_BYTES, HISTORY_RESEND_AFTER_MS } from "../../src/constants";
import { consumeHistory } from "../../src/history/consume-history";
import { sendHistory } from "../../src/runner/history-flush";
import type { HistoryMessage, RunHistoryMessage } from "../../src/runner/history-message";
import { RunStore } from "../../src/runs/run-store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { countRows, rows, type RunHistoryRow } from "./helpers/d1";
import { alarmSettlesAt, clearAlarm, driveToEnd, historyRun, historySteps, objectRows, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "hq";
const APP_URL = "http://hq.test/api/inngest";
/** A step output over the inline limit (sent by reference), under what history keeps whole. */
const BIG = "x".repeat(HISTORY_INLINE_VALUE_BYTES * 12);
const started: string[] = [];

beforeAll(() => {
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "big", triggers: [{ event: "hq/big" }] }, async ({ step }) => {
      const big = await step.run("big-step", () => BIG);
      const small = await step.run("small-step", () => "s");
      return { length: big.length, small, echo: big };
    }),
  ];
  installFetchRouter().route("http://hq.test", sdkHandler(client, functions));
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

async function runToEnd(): Promise<{ runId: string; endedAt: number }> {
  const input = runStart(APP_URL, APP_ID, "big", "hq/big");
  started.push(input.runId);
  await runStub(input.runId).start(input);
  const { run } = await driveToEnd(input.runId);
  expect(run.status).toBe("completed");
  // Confirmed: nothing is left to send, and the only alarm left is the end of the retention.
  await alarmSettlesAt(input.runId, run.ended_at! + DEFAULT_RETENTION_MS);
  return { runId: input.runId, endedAt: run.ended_at! };
}

/** Delivers history messages to the consumer as one batch. */
async function consume(bodies: HistoryMessage[] | unknown[]): Promise<void> {
  const batch = createMessageBatch<unknown>(
    "stepflare-history",
    bodies.map((body, i) => ({ id: `h-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  await consumeHistory(batch, env);
}

describe("history through the Queue", () => {
  it("carries values too large for a message by reference and writes them whole", async () => {
    const { runId } = await runToEnd();
    const run = await historyRun(runId);
    expect(run?.status).toBe("completed");
    expect(JSON.parse(run!.output!)).toEqual({ length: BIG.length, small: "s", echo: BIG });
    const steps = await historySteps(runId);
    expect(steps.map((s) => [s.name, s.status, s.output === null ? null : JSON.parse(s.output)])).toEqual([
      ["big-step", "completed", BIG],
      ["small-step", "completed", "s"],
    ]);
    expect(await objectRows(runId, "SELECT * FROM dirty")).toEqual([]);
  });

  it("sends rows again when their messages were lost, until the consumer confirms them", async () => {
    const { runId, endedAt } = await runToEnd();
    // As a dev server killed before its consumer ran leaves it: D1 lacks the rows, and the object
    // sent them (long enough ago) without a confirmation.
    await env.DB.batch([env.DB.prepare("DELETE FROM steps WHERE run_id = ?").bind(runId), env.DB.prepare("DELETE FROM runs WHERE id = ?").bind(runId)]);
    await runInDurableObject(runStub(runId), async (_instance, state) => {
      const sentAt = Date.now() - HISTORY_RESEND_AFTER_MS - 1;
      state.storage.sql.exec("INSERT INTO dirty (kind, key, rev, sent_at) VALUES ('run', ?, 100, ?)", runId, sentAt);
      state.storage.sql.exec("INSERT INTO dirty (kind, key, rev, sent_at) SELECT 'step', step_id, 101, ? FROM steps", sentAt);
      // The alarm the object set when it sent them: due now, it rings by itself.
      await state.storage.setAlarm(sentAt + HISTORY_RESEND_AFTER_MS);
    });
    const row = await waitFor("the run's row to be written again", async () => {
      const r = await historyRun(runId);
      return r?.status === "completed" ? r : undefined;
    });
    expect(JSON.parse(row.output!)).toMatchObject({ length: BIG.length });
    await waitFor("both steps written again", async () => ((await historySteps(runId)).length === 2 ? true : undefined));
    await alarmSettlesAt(runId, endedAt + DEFAULT_RETENTION_MS);
    expect(await objectRows(runId, "SELECT * FROM dirty")).toEqual([]);
  });

  it("does not send unconfirmed rows again while the history Queue has not reached them, and does once it has", async () => {
    const { runId } = await runToEnd();
    const now = Date.now();
    const sentAt = now - HISTORY_RESEND_AFTER_MS - 1;
    const oldest = sentAt - 1_000;
    const send = vi.spyOn(env.HISTORY, "sendBatch").mockResolvedValue(undefined as never);
    const metrics = vi.spyOn(env.HISTORY, "metrics");
    try {
      const { behind, caughtUp, dirty } = await runInDurableObject(runStub(runId), async (_instance, state) => {
        // Sent long enough ago to be due again, not confirmed yet.
        state.storage.sql.exec("INSERT INTO dirty (kind, key, rev, sent_at) VALUES ('run', ?, 100, ?)", runId, sentAt);
        const store = new RunStore(state.storage);
        // The Queue still holds a message sent before the rows were: the consumer is behind.
        metrics.mockResolvedValue({ backlogCount: 900, backlogBytes: 1, oldestMessageTimestamp: new Date(oldest) });
        await sendHistory(env.HISTORY, store, now);
        const behind = send.mock.calls.length;
        const dirty = state.storage.sql.exec<{ sent_at: number }>("SELECT sent_at FROM dirty").toArray();
        // Later the Queue holds only messages sent after them: theirs was consumed and lost.
        const later = now + (now - oldest);
        metrics.mockResolvedValue({ backlogCount: 2, backlogBytes: 1, oldestMessageTimestamp: new Date(later - 100) });
        await sendHistory(env.HISTORY, store, later);
        const caughtUp = send.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as HistoryMessage));
        state.storage.sql.exec("DELETE FROM dirty");
        return { behind, caughtUp, dirty };
      });
      expect(behind).toBe(0);
      // Looked at again after about the Queue's lag (now − oldest), not the usual HISTORY_RESEND_AFTER_MS.
      expect(dirty).toEqual([{ sent_at: now + (now - oldest) - HISTORY_RESEND_AFTER_MS }]);
      expect(caughtUp).toEqual([expect.objectContaining({ kind: "run_history", runId })]);
    } finally {
      send.mockRestore();
      metrics.mockRestore();
    }
  });

  it("keeps the newest version of a row, whatever order and however often versions arrive", async () => {
    const runId = ulid();
    const version = (seq: number, status: "running" | "completed", stepStatus: "running" | "completed"): RunHistoryMessage => ({
      kind: "run_history",
      runId,
      run: {
        seq,
        functionId: "hq-fn",
        appId: APP_ID,
        eventId: "evt",
        status,
        output: status === "completed" ? '"done"' : null,
        error: null,
        queuedAt: 1,
        startedAt: 2,
        endedAt: status === "completed" ? 3 : null,
        updatedAt: seq,
        wakeAt: null,
      },
      steps: [
        {
          seq,
          stepId: "s1",
          name: "one",
          displayName: null,
          op: "StepRun",
          status: stepStatus,
          attempts: 1,
          output: null,
          error: null,
          attemptErrors: null,
          startedAt: 2,
          endedAt: null,
          order: 0,
        },
      ],
    });
    const queued: HistoryMessage = { kind: "queued_runs", at: 1, runs: [{ runId, functionId: "hq-fn", appId: APP_ID, eventId: "evt" }] };
    await consume([version(5, "completed", "completed"), version(2, "running", "running")]);
    await consume([version(2, "running", "running"), queued, version(5, "completed", "completed"), version(3, "running", "running")]);
    expect(await rows<RunHistoryRow & { history_seq: number }>("SELECT status, output, history_seq FROM runs WHERE id = ?", runId)).toEqual([
      { status: "completed", output: '"done"', history_seq: 5 },
    ]);
    expect((await historySteps(runId)).map((s) => s.status)).toEqual(["completed"]);
  });

  it("skips a row D1 refuses even without its values, writing the rest of the batch", { timeout: 30_000 }, async () => {
    const runId = ulid();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const step = (stepId: string, name: string) => ({
        seq: 1,
        stepId,
        name,
        displayName: null,
        op: "StepRun",
        status: "completed" as const,
        attempts: 1,
        output: '"ok"',
        error: null,
        startedAt: 1,
        endedAt: 2,
        order: 0,
      });
      // A name past what a D1 value may hold (2 MB; about 8 MiB locally): refused for good, with
      // or without its output.
      const refused = step("too-big", "n".repeat(9 * 1024 * 1024));
      await consume([{ kind: "run_history", runId, steps: [step("fine", "fine"), refused] }]);
      expect((await historySteps(runId)).map((s) => [s.step_id, s.output])).toEqual([["fine", null]]);
      expect(errors.mock.calls.some(([message]) => String(message).includes("refused for good even without values; skipped"))).toBe(true);
    } finally {
      errors.mockRestore();
    }
  });

  it("acknowledges a malformed message instead of retrying it, and writes the rest", async () => {
    const skipped: HistoryMessage = { kind: "skipped_runs", at: 1, skips: [{ eventId: ulid(), functionId: "hq-fn", reason: "rate_limit" }] };
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await consume([{ kind: "run_history", runId: 7 }, skipped]);
    } finally {
      errors.mockRestore();
    }
    expect(await countRows("skipped_runs", "event_id = ?", (skipped as { skips: { eventId: string }[] }).skips[0]!.eventId)).toBe(1);
  });
});
