/**
 * Retention (STEPFLARE_RETENTION): history and event rows past it are deleted from D1 in
 * bounded batches, and an ended run's object deletes its own storage, after which it answers as
 * an object that never had a run.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { RunObject } from "../../durable-objects/run-object";
import { DEFAULT_RETENTION_MS, RETENTION_ROWS_PER_STATEMENT } from "../../src/constants";
import type { Env } from "../../src/env";
import { deleteExpiredHistory } from "../../src/history/retention";
import { RetentionSettingError } from "../../src/history/retention-setting";
import { countRows } from "./helpers/d1";
import { seedEvents, seedRuns } from "./helpers/history";
import { evict, runStart, runStub } from "./helpers/runs";
import { sleep, waitFor } from "./helpers/wait";

const RETENTION = "5s";
const RETENTION_MS = 5_000;

/** Rows of `table` whose `column` is one of `ids`. */
function countIn(table: string, column: string, ids: string[]): Promise<number> {
  return countRows(table, `${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
}

describe("retention in D1", () => {
  it("deletes history and events past the retention, and keeps what is newer, active or unrouted", async () => {
    const now = Date.now();
    const old = now - RETENTION_MS - 60_000;
    const [oldEvent, pendingEvent, newEvent] = await seedEvents([
      { name: "ret/old", receivedAt: old },
      { name: "ret/pending", receivedAt: old },
      { name: "ret/new", receivedAt: now },
    ]);
    await env.DB.prepare("UPDATE events SET status = 'pending' WHERE internal_id = ?").bind(pendingEvent!.internalId).run();
    const run = (status: "completed" | "running", queuedAt: number, endedAt?: number) => ({
      id: ulid(),
      functionId: "ret-fn",
      appId: "ret",
      eventId: oldEvent!.internalId,
      status,
      queuedAt,
      endedAt,
    });
    const [ended, active, recent] = [run("completed", old, old + 1), run("running", old), run("completed", now, now)];
    await seedRuns([ended, active, recent]);
    await env.DB.batch(
      [ended, active, recent].flatMap((r) =>
        ["a", "b"].map((step, seq) =>
          env.DB.prepare("INSERT INTO steps (run_id, step_id, op, status, seq) VALUES (?, ?, 'StepRun', 'completed', ?)").bind(r.id, step, seq),
        ),
      ),
    );
    // More skips than one statement deletes: the pass takes another round for the rest.
    const skipped = Array.from({ length: RETENTION_ROWS_PER_STATEMENT + 5 }, () => ulid());
    await env.DB.prepare("INSERT INTO skipped_runs (event_id, function_id, reason, created_at) SELECT value, 'ret-fn', 'rate_limit', ? FROM json_each(?)")
      .bind(old, JSON.stringify(skipped))
      .run();
    const keptSkip = ulid();
    await env.DB.prepare("INSERT INTO skipped_runs (event_id, function_id, reason, created_at) VALUES (?, 'ret-fn', 'singleton', ?)").bind(keptSkip, now).run();
    await env.DB.prepare("INSERT INTO run_reruns (run_id, rerun_of, created_at) VALUES (?, ?, ?), (?, ?, ?)")
      .bind("ret-rerun-old", ended.id, old, "ret-rerun-new", recent.id, now)
      .run();

    const pass = await deleteExpiredHistory({ DB: env.DB, STEPFLARE_RETENTION: RETENTION }, now);
    expect(pass.rounds).toBe(2);
    expect(pass.more).toBe(false);

    expect(await countIn("runs", "id", [ended.id])).toBe(0);
    expect(await countIn("steps", "run_id", [ended.id])).toBe(0);
    expect(await countIn("runs", "id", [active.id, recent.id])).toBe(2);
    expect(await countIn("steps", "run_id", [active.id, recent.id])).toBe(4);
    expect(await countIn("events", "internal_id", [oldEvent!.internalId])).toBe(0);
    expect(await countIn("events", "internal_id", [pendingEvent!.internalId, newEvent!.internalId])).toBe(2);
    expect(await countIn("skipped_runs", "event_id", skipped)).toBe(0);
    expect(await countIn("skipped_runs", "event_id", [keptSkip])).toBe(1);
    expect(await countIn("run_reruns", "run_id", ["ret-rerun-old", "ret-rerun-new"])).toBe(1);
    // A whole pass later nothing is left to delete.
    expect(await deleteExpiredHistory({ DB: env.DB, STEPFLARE_RETENTION: RETENTION }, now)).toMatchObject({ rounds: 1, more: false });
  });

  it("refuses a STEPFLARE_RETENTION that is not a positive duration, deleting nothing", async () => {
    const now = Date.now();
    const [event] = await seedEvents([{ name: "ret/invalid", receivedAt: now - DEFAULT_RETENTION_MS - 60_000 }]);
    for (const setting of ["seven days", "0", "-5d", "12"]) {
      const pass = deleteExpiredHistory({ DB: env.DB, STEPFLARE_RETENTION: setting }, now);
      await expect(pass).rejects.toBeInstanceOf(RetentionSettingError);
      await expect(pass).rejects.toThrow(`STEPFLARE_RETENTION="${setting}" is not a positive duration`);
    }
    expect(await countIn("events", "internal_id", [event!.internalId])).toBe(1);
    // Unset, the default (7 days) applies: the event is older than that.
    await deleteExpiredHistory({ DB: env.DB }, now);
    expect(await countIn("events", "internal_id", [event!.internalId])).toBe(0);
  });
});

/** The run's object as a RunObject built with `STEPFLARE_RETENTION` set to RETENTION, over its real storage. */
function withShortRetention<T>(runId: string, use: (object: RunObject, state: DurableObjectState) => Promise<T>): Promise<T> {
  return runInDurableObject(runStub(runId), (_instance, state) => use(new RunObject(state, { ...env, STEPFLARE_RETENTION: RETENTION } as Env), state));
}

describe("retention of an ended run's object", () => {
  it("deletes the object's storage once the run ended longer ago than the retention; it then answers as for no run", { timeout: 30_000 }, async () => {
    // Due in an hour, so the run never calls an app; it is cancelled instead.
    const input = runStart("http://ret.test/api/inngest", "ret", "fn", "ret/start", { startAt: Date.now() + 60 * 60 * 1000 });
    const runId = input.runId;
    const ended = await withShortRetention(runId, async (object) => {
      expect(await object.start(input)).toEqual({ created: true });
      expect(await object.cancel()).toEqual({ cancelled: true });
      await object.alarm();
      return (await object.status())!;
    });
    expect(ended.status).toBe("cancelled");
    // Its history reaches D1 and is confirmed; the alarm is then set for the end of the retention.
    await waitFor("the cancelled run in history", async () => ((await countRows("runs", "id = ? AND status = 'cancelled'", runId)) === 1 ? true : undefined));
    const alarm = await waitFor("the retention alarm", () =>
      withShortRetention(runId, async (object, state) => {
        await object.alarm();
        const at = await state.storage.getAlarm();
        return at === ended.ended_at! + RETENTION_MS ? at : undefined;
      }),
    );

    // Before its time nothing is deleted.
    await withShortRetention(runId, async (object) => {
      await object.alarm();
      expect((await object.status())?.id).toBe(runId);
    });
    await sleep(Math.max(0, alarm - Date.now()) + 10);

    const after = await withShortRetention(runId, async (object, state) => {
      await object.alarm();
      return {
        tables: state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
          .toArray(),
        alarm: await state.storage.getAlarm(),
        // The same instance answers every request as for a run that does not exist.
        answers: [
          await object.status(),
          await object.result(),
          await object.cancel(),
          await object.poke(),
          await object.resume("step", null),
          await object.rerunSeed(),
          await object.checkpoint([]),
        ],
      };
    });
    expect(after.tables).toEqual([]);
    expect(after.alarm).toBeNull();
    expect(after.answers).toEqual([null, null, { cancelled: false }, { wakeAt: null }, { resumed: false }, { stack: [], memos: {} }, { accepted: false }]);

    // A fresh instance (as after a restart) finds nothing either, and creates nothing by asking.
    await evict(runId);
    expect(await runStub(runId).status()).toBeNull();
    expect(await runStub(runId).result()).toBeNull();
    const tables = await runInDurableObject(runStub(runId), (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });
});
