/**
 * Durable Object boundaries after a deploy (issue 14, item 7): a method called with arguments of
 * the wrong shape is refused, and stored JSON this build cannot read ends in a clear, recorded
 * outcome (the run fails with StoredStateUnreadable; flow state is set aside) instead of a loop.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RUN_ERRORS } from "../../src/errors";
import type { Memo } from "../../src/runs/transition";
import { clearAlarm, evict, historyRun, runAlarm, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_URL = "http://stored.test/api/inngest";
/** Runs start an hour ahead, so nothing calls the app unless a test makes a call due. */
const LATER = Date.now() + 60 * 60 * 1000;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Starts a run that waits until LATER for its first call. */
async function startWaitingRun(slug: string) {
  const input = runStart(APP_URL, "stored-app", slug, `stored/${slug}`, { startAt: LATER });
  await runStub(input.runId).start(input);
  return input.runId;
}

/** Changes the run's own SQLite as a build with another shape would have left it, then restarts the object. */
async function rewriteStorage(runId: string, ...statements: [string, ...unknown[]][]): Promise<void> {
  await runInDurableObject(runStub(runId), (_instance, state) => {
    for (const [sql, ...values] of statements) state.storage.sql.exec(sql, ...values);
  });
  await evict(runId);
}

/** Makes the run's first call due now and runs its alarm. */
async function wakeNow(runId: string): Promise<void> {
  await runInDurableObject(runStub(runId), async (_instance, state) => {
    state.storage.sql.exec("UPDATE calls SET due_at = 0");
    await state.storage.setAlarm(Date.now());
  });
  await runAlarm(runId);
}

/**
 * The error a method of the object behind `stub` throws, or null if it does not throw. Called on
 * the instance itself: the pool reports every rejecting RPC through a stub as an unhandled
 * rejection even when the test handles it (cloudflare/workers-sdk#14736).
 */
async function refusal<T extends Rpc.DurableObjectBranded>(stub: DurableObjectStub<T>, call: (instance: T) => Promise<unknown>): Promise<string | null> {
  return runInDurableObject(stub, async (instance: T): Promise<string | null> => {
    try {
      await call(instance);
      return null;
    } catch (err) {
      return err instanceof TypeError ? err.message : `not a TypeError: ${String(err)}`;
    }
  });
}

describe("Durable Object methods", () => {
  it("refuse arguments of the wrong shape and change nothing", async () => {
    const flow = env.FLOWS.getByName("stored-bad-args");
    const start = { functionId: "stored-app-fn" };
    // A caller of another build sends bytes as a string.
    const bytesAsText = { internalId: "e1", bytes: "10" } as unknown as { internalId: string; bytes: number };
    expect(await refusal(flow, (f) => f.batch(bytesAsText, { maxSize: 2, timeoutMs: 1000, maxBytes: 100 }, start))).toMatch(
      /^FlowObject\.batch: invalid argument/,
    );
    expect(await refusal(flow, (f) => f.acquire({ holder: "no-target", limit: 1, leaseMs: 1000, priority: 0 }))).toMatch(/^FlowObject\.acquire/);
    expect(await refusal(flow, (f) => f.singletonClaim("run", "replace" as "skip"))).toMatch(/^FlowObject\.singletonClaim/);
    const stored = await runInDurableObject(flow, (_instance, state) => state.storage.sql.exec("SELECT kind FROM state").toArray());
    expect(stored).toEqual([]);

    const runId = await startWaitingRun("bad-args");
    const run = runStub(runId);
    expect(await refusal(run, (r) => r.resume("", null))).toMatch(/^RunObject\.resume: invalid argument/);
    expect(await refusal(run, (r) => r.resume("step", "not an object" as unknown as Memo))).toMatch(/^RunObject\.resume/);
    expect(await refusal(run, (r) => r.checkpoint({ op: "StepRun" } as never))).toMatch(/^RunObject\.checkpoint/);
    const { runId: _omitted, ...noId } = runStart(APP_URL, "stored-app", "bad-start", "stored/bad-start");
    expect(await refusal(runStub("stored-no-id"), (r) => r.start(noId as never))).toMatch(/^RunObject\.start: invalid argument/);
    expect(await runStub("stored-no-id").status()).toBeNull();
    expect(await run.status()).toMatchObject({ status: "queued" });
    await clearAlarm(runId);
  });
});

describe("stored JSON this build cannot read", () => {
  it("fails the run with a recorded StoredStateUnreadable error, once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const runId = await startWaitingRun("old-events");
    // An older build kept the trigger as one object rather than a list.
    await rewriteStorage(runId, ["UPDATE blobs SET data = ? WHERE key = 'events'", JSON.stringify({ name: "stored/old-events", data: {} })]);
    await wakeNow(runId);

    // The pool may ring the alarm set just now on its own as well: wait for whichever drive it was.
    const run = await waitFor("the run to fail", async () => {
      const row = await runStub(runId).status();
      return row?.status === "failed" ? row : undefined;
    });
    expect(run).toMatchObject({ status: "failed" });
    const history = await waitFor("the failure in history", async () => {
      await runDurableObjectAlarm(runStub(runId));
      const row = await historyRun(runId);
      return row?.status === "failed" ? row : undefined;
    });
    expect(JSON.parse(history.error!)).toMatchObject({
      name: "StoredStateUnreadable",
      code: RUN_ERRORS.StoredStateUnreadable,
      message: expect.stringContaining('blobs "events"'),
    });
    // Bounded: nothing is left to retry.
    await waitFor("the run to owe nothing", async () => {
      await runDurableObjectAlarm(runStub(runId));
      const left = await runInDurableObject(runStub(runId), (_i, state) =>
        state.storage.sql.exec("SELECT count(*) AS n FROM outbox UNION ALL SELECT count(*) FROM calls").toArray(),
      );
      return left.every((r) => r["n"] === 0) ? true : undefined;
    });
    expect(errors).toHaveBeenCalled();
  });

  it("drops an outbox entry it cannot read, logging it, and fails the run instead of retrying it forever", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const runId = await startWaitingRun("old-outbox");
    await rewriteStorage(runId, ["INSERT INTO outbox (kind, body) VALUES ('emit', ?)", JSON.stringify({ kind: "emit", events: "one" })]);
    // The outbox is carried out when the run wakes; its calls are not due yet.
    await runInDurableObject(runStub(runId), (_instance, state) => state.storage.setAlarm(Date.now()));
    await runAlarm(runId);

    await waitFor("the unreadable entry to be dropped and the run failed", async () => {
      await runDurableObjectAlarm(runStub(runId));
      const bodies = await runInDurableObject(runStub(runId), (_i, state) => state.storage.sql.exec<{ body: string }>("SELECT body FROM outbox").toArray());
      const run = await runStub(runId).status();
      return run?.status === "failed" && !bodies.some((b) => b.body.includes('"one"')) ? true : undefined;
    });
    expect(errors.mock.calls.some((c) => String(c[0]).includes('"events":"one"'))).toBe(true);
  });

  it("sets aside flow state it cannot read and carries on from a fresh state", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const flow = env.FLOWS.getByName("stored-old-gcra");
    await runInDurableObject(flow, (_instance, state) => {
      state.storage.sql.exec("INSERT INTO state (kind, json) VALUES ('ratelimit', ?)", JSON.stringify({ nextAllowedAt: "later" }));
    });
    expect(await flow.rateLimitAllow({ limit: 1, periodMs: 60_000 })).toBe(true);
    expect(await flow.rateLimitAllow({ limit: 1, periodMs: 60_000 })).toBe(false);
    const aside = await runInDurableObject(flow, (_instance, state) => state.storage.sql.exec("SELECT source, json FROM unreadable").toArray());
    expect(aside).toEqual([{ source: "state/ratelimit", json: JSON.stringify({ nextAllowedAt: "later" }) }]);
    expect(errors).toHaveBeenCalled();
  });
});
