/**
 * The history copy when D1 refuses a row for good even without its output values (issue 8): the
 * refused row is logged and left out, the other rows are copied, and the copy does not fail (and
 * so is not retried for ever).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { flushHistory } from "../../src/runner/history-flush";
import { RunStore } from "../../src/runner/run-store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { clearAlarm, driveToEnd, historyRun, historySteps, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "hist";
const APP_URL = "http://hist.test/api/inngest";
const started: string[] = [];
/** A step name the refusing D1 below will not take in any form. */
const POISON = "poison-step";

beforeAll(() => {
  const router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  const fn = client.createFunction({ id: "two-steps", triggers: [{ event: "hist/go" }] }, async ({ step }) => {
    await step.run("fine-step", () => "fine");
    await step.run(POISON, () => "poison");
    return "done";
  });
  router.route("http://hist.test", sdkHandler(client, [fn]));
});

afterAll(async () => {
  for (const id of started) await clearAlarm(id);
});
afterEach(() => vi.restoreAllMocks());

/** A statement that remembers what was bound to it, so the fake D1 can judge it. */
interface Recorded {
  values: unknown[];
  real: D1PreparedStatement;
}

/**
 * A D1 that refuses, as SQLite refuses a value too large for a row, every batch holding a
 * statement with POISON bound in it, and runs every other batch on the real database.
 */
function refusingD1(): D1Database {
  return {
    prepare(sql: string) {
      return {
        bind(...values: unknown[]): Recorded {
          return { values, real: env.DB.prepare(sql).bind(...values) };
        },
      };
    },
    async batch(statements: Recorded[]) {
      if (statements.some((s) => s.values.includes(POISON))) throw new Error("D1_ERROR: string or blob too big: SQLITE_TOOBIG");
      return env.DB.batch(statements.map((s) => s.real));
    },
  } as unknown as D1Database;
}

describe("history copy refused for good", () => {
  it("logs and leaves out a row D1 refuses even without outputs, copies the rest, and ends", { timeout: 30_000 }, async () => {
    const input = runStart(APP_URL, APP_ID, "two-steps", "hist/go");
    started.push(input.runId);
    await runStub(input.runId).start(input);
    const { run } = await driveToEnd(input.runId);
    expect(run.status).toBe("completed");
    await waitFor("the run in history", async () => ((await historyRun(input.runId))?.status === "completed" ? true : undefined));
    await env.DB.prepare("DELETE FROM steps WHERE run_id = ?").bind(input.runId).run();

    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const db = refusingD1();
    const flushedAt = Date.now() + 1_000;
    const dirtyAfter = await runInDurableObject(runStub(input.runId), async (_instance, state) => {
      const store = new RunStore(state.storage);
      store.history.markDirty("run", input.runId);
      for (const { step_id } of state.storage.sql.exec<{ step_id: string }>("SELECT step_id FROM steps")) store.history.markDirty("step", step_id);
      await flushHistory(db, store, flushedAt);
      return store.history.dirty();
    });

    expect(dirtyAfter).toEqual([]);
    const copied = await env.DB.prepare("SELECT updated_at FROM runs WHERE id = ?").bind(input.runId).first<{ updated_at: number }>();
    expect(copied?.updated_at).toBe(flushedAt);
    expect((await historySteps(input.runId)).map((s) => s.name)).toEqual(["fine-step"]);
    const messages = logged.mock.calls.map((c) => String(c[0]));
    expect(messages.some((m) => m.includes("left out of history"))).toBe(true);
  });
});
