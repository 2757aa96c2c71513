/**
 * Signals with the official SDK in-process: `step.waitForSignal` claims its signal name in the
 * signal's wait shard, `inngest.sendSignal` (POST /v1/signals) resumes the waiting run with
 * `{ signal, data }` and reports its run id, a signal nobody waits for answers "no run" the way
 * the SDK reads it, a wait times out with null, and `onConflict` "fail" and "replace" behave as
 * the SDK documents.
 */
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { MAX_SIGNAL_DATA_BYTES } from "../../src/constants";
import { hashSigningKey } from "../../src/protocol/signing";
import { RUN_MIGRATIONS } from "../../src/runs/run-schema";
import { migrate } from "../../src/util/sqlite-migrate";
import { signalShard, type SignalHold } from "../../src/waits/signal-holds";
import type { WaitShardObject } from "../../src/index";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { clearAlarm, driveToEnd, runAlarm, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { shardHasStorage } from "./helpers/wait-shards";
import { workerFetch } from "./helpers/worker";

const APP_ID = "sig";
const APP_URL = "http://sig-app.test/api/inngest";
const started: string[] = [];
let client: Inngest;

interface WaiterInput {
  signal: string;
  timeout: string;
  conflict: "replace" | "fail";
}

beforeAll(() => {
  const router = installFetchRouter();
  client = new Inngest({ id: APP_ID, isDev: true });
  const waiter = client.createFunction({ id: "waiter", triggers: [{ event: "sig/start" }] }, async ({ event, step }) => {
    const { signal, timeout, conflict } = event.data as WaiterInput;
    try {
      const got = await step.waitForSignal("w", { signal, timeout, onConflict: conflict });
      return { got };
    } catch (err) {
      return { refused: err instanceof Error ? err.message : String(err) };
    }
  });
  const sender = client.createFunction({ id: "sender", triggers: [{ event: "sig/send" }] }, async ({ event, step }) => {
    const { signal } = event.data as { signal: string };
    return step.sendSignal("s", { signal, data: { from: "step" } });
  });
  router.route("http://sig-app.test", sdkHandler(client, [waiter, sender]));
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

/** The hold of a signal name in its shard, expired or not; null when there is none. */
function holdOf(signal: string): Promise<SignalHold | null> {
  return runInDurableObject(env.WAIT_SHARDS.getByName(signalShard(signal)), (_instance: WaitShardObject, state) => {
    const sql = state.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'signal_holds'").toArray().length === 0) return null;
    return sql.exec<SignalHold>("SELECT * FROM signal_holds WHERE signal = ?", signal).toArray()[0] ?? null;
  });
}

/** Starts a run of `fn` with `data` and returns its id. */
async function start(fn: string, event: string, data: Record<string, unknown>): Promise<string> {
  const input = runStart(APP_URL, APP_ID, fn, event);
  input.events[0]!.data = data;
  started.push(input.runId);
  await runStub(input.runId).start(input);
  return input.runId;
}

/** Starts a waiter and runs it until it holds its signal name. */
async function waiting(signal: string, conflict: "replace" | "fail" = "fail", timeout = "1h"): Promise<string> {
  const runId = await start("waiter", "sig/start", { signal, timeout, conflict });
  await waitFor(`run ${runId} to hold signal ${signal}`, async () => {
    await runAlarm(runId);
    return (await holdOf(signal))?.run_id === runId ? true : undefined;
  });
  return runId;
}

/** The ended run's output. */
async function outputOf(runId: string): Promise<unknown> {
  const { run } = await driveToEnd(runId);
  expect(run.status).toBe("completed");
  return (JSON.parse((await runStub(runId).result())!) as { output: unknown }).output;
}

describe("signals", { timeout: 60_000 }, () => {
  it("resumes the waiting run with the signal's data, and the SDK gets its run id", async () => {
    const signal = `order-${ulid()}`;
    const runId = await waiting(signal);
    const sent = await client.sendSignal({ signal, data: { approved: true } });
    expect(sent).toEqual({ runId });
    expect(await outputOf(runId)).toEqual({ got: { signal, data: { approved: true } } });
    await waitFor("the hold to be released", async () => ((await holdOf(signal)) === null ? true : undefined));
    // The step was resumed once: a second signal finds nobody waiting.
    expect(await client.sendSignal({ signal })).toEqual({ runId: undefined });
  });

  it("answers a signal nobody waits for with a 404 the SDK reads as no run", async () => {
    const signal = `early-${ulid()}`;
    expect(await client.sendSignal({ signal, data: 1 })).toEqual({ runId: undefined });
    const res = await workerFetch("/v1/signals", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signal }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: `no run is waiting for signal "${signal}"`, status: 404 });
    // A run that starts waiting afterwards did not get the earlier signal: it still waits.
    const runId = await waiting(signal);
    expect((await runStub(runId).status())?.status).toBe("running");
    expect(await client.sendSignal({ signal, data: 2 })).toEqual({ runId });
    expect(await outputOf(runId)).toEqual({ got: { signal, data: 2 } });
  });

  it("refuses a signal whose data is over the limit with 413, leaving the wait in place", async () => {
    const signal = `big-${ulid()}`;
    const runId = await waiting(signal);
    const res = await workerFetch("/v1/signals", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signal, data: "x".repeat(MAX_SIGNAL_DATA_BYTES) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 413, error: expect.stringContaining(`the limit is ${MAX_SIGNAL_DATA_BYTES} bytes`) });
    expect(await client.sendSignal({ signal, data: "small" })).toEqual({ runId });
    expect(await outputOf(runId)).toEqual({ got: { signal, data: "small" } });
  });

  it("resumes the step with null when the wait times out, and releases the name", async () => {
    const signal = `late-${ulid()}`;
    const runId = await waiting(signal, "fail", "1s");
    expect(await outputOf(runId)).toEqual({ got: null });
    expect(await holdOf(signal)).toBeNull();
    expect(await client.sendSignal({ signal })).toEqual({ runId: undefined });
  });

  it("fails a second wait with onConflict fail, leaving the first run the holder", async () => {
    const signal = `shared-${ulid()}`;
    const first = await waiting(signal);
    const second = await start("waiter", "sig/start", { signal, timeout: "1h", conflict: "fail" });
    const output = (await outputOf(second)) as { refused?: string };
    expect(output.refused).toContain(`run ${first} is already waiting for signal "${signal}"`);
    expect((await holdOf(signal))?.run_id).toBe(first);
    expect(await client.sendSignal({ signal, data: "x" })).toEqual({ runId: first });
    expect(await outputOf(first)).toEqual({ got: { signal, data: "x" } });
  });

  it("lets a wait with onConflict replace take the name over; the first keeps waiting", async () => {
    const signal = `taken-${ulid()}`;
    const first = await waiting(signal);
    const second = await waiting(signal, "replace");
    expect(await client.sendSignal({ signal, data: "y" })).toEqual({ runId: second });
    expect(await outputOf(second)).toEqual({ got: { signal, data: "y" } });
    expect((await runStub(first).status())?.status).toBe("running");
    // Nothing can reach the first wait any more; it ends at its timeout (here: cancelled).
    expect(await client.sendSignal({ signal })).toEqual({ runId: undefined });
    await runStub(first).cancel();
  });

  it("step.sendSignal reports the run it resumed", async () => {
    const signal = `stepped-${ulid()}`;
    const waiter = await waiting(signal);
    const sender = await start("sender", "sig/send", { signal });
    expect(await outputOf(sender)).toEqual({ runId: waiter });
    expect(await outputOf(waiter)).toEqual({ got: { signal, data: { from: "step" } } });
  });
});

describe("a run stored before signals", () => {
  it("keeps its waits and outbox through the migration that admits signal waits", async () => {
    const stub = env.RUNS.getByName(`migration-${ulid()}`);
    const kept = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      migrate(sql, RUN_MIGRATIONS.slice(0, 2));
      sql.exec("INSERT INTO waits (step_id, kind, wake_at, detail) VALUES ('a', 'sleep', 5, '{\"kind\":\"sleep\"}')");
      sql.exec("INSERT INTO outbox (kind, body) VALUES ('unpause_run', '{\"kind\":\"unpause_run\"}')");
      expect(() => sql.exec("INSERT INTO waits (step_id, kind, wake_at, detail) VALUES ('b', 'signal', 5, '{}')")).toThrow();
      migrate(sql, RUN_MIGRATIONS);
      sql.exec("INSERT INTO waits (step_id, kind, wake_at, detail) VALUES ('b', 'signal', 5, '{}')");
      sql.exec("INSERT INTO outbox (kind, body) VALUES ('signal', '{}')");
      return {
        waits: sql.exec("SELECT step_id, kind FROM waits ORDER BY step_id").toArray(),
        outbox: sql.exec("SELECT seq, kind FROM outbox ORDER BY seq").toArray(),
      };
    });
    expect(kept.waits).toEqual([
      { step_id: "a", kind: "sleep" },
      { step_id: "b", kind: "signal" },
    ]);
    expect(kept.outbox).toEqual([
      { seq: 1, kind: "unpause_run" },
      { seq: 2, kind: "signal" },
    ]);
  });
});

describe("POST /v1/signals in production mode", () => {
  const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
  const PROD = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_EVENT_KEY: "ek" };

  async function post(headers: Record<string, string>): Promise<Response> {
    const ctx = createExecutionContext();
    const body = JSON.stringify({ signal: `prod-${ulid()}`, data: {} });
    const res = await app.fetch(new Request("https://stepflare.example/v1/signals", { method: "POST", headers, body }), PROD, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("requires the signing key as bearer, as the SDK sends it (hashed)", async () => {
    expect((await post({ "content-type": "application/json" })).status).toBe(401);
    const res = await post({ "content-type": "application/json", Authorization: `Bearer ${await hashSigningKey(KEY)}` });
    expect(res.status).toBe(404);
  });
});

describe("a signal shard", { timeout: 30_000 }, () => {
  const hold = (signal: string, runId: string, expiresAt: number): SignalHold => ({
    signal,
    pause_id: `${runId}:w`,
    run_id: runId,
    step_id: "w",
    expires_at: expiresAt,
  });

  it("lets a fail claim take a name whose hold expired, and deletes expired holds on its alarm", async () => {
    const signal = `expiring-${ulid()}`;
    const shard = env.WAIT_SHARDS.getByName(signalShard(signal));
    const now = Date.now();
    expect(await shard.claimSignal(hold(signal, "run-a", now + 500), false, now)).toEqual({ held: true });
    expect(await shard.claimSignal(hold(signal, "run-b", now + 1_500), false, now)).toEqual({ held: false, holderRunId: "run-a" });
    // The same pause claiming again (its outbox carried out twice) keeps it.
    expect(await shard.claimSignal(hold(signal, "run-a", now + 500), false, now)).toEqual({ held: true });
    expect(await shard.claimSignal(hold(signal, "run-b", now + 1_500), false, now + 500)).toEqual({ held: true });
    expect(await shard.signalHolder(signal, now + 500)).toMatchObject({ run_id: "run-b" });
    expect(await shard.signalHolder(signal, now + 1_500)).toBeNull();
    await waitFor("the shard's alarm to delete the expired hold and wipe it", async () => {
      await runDurableObjectAlarm(shard);
      return (await holdOf(signal)) === null ? true : undefined;
    });
    expect(await shardHasStorage(signalShard(signal))).toBe(false);
  });

  it("releases a name only for the pause holding it", async () => {
    const signal = `released-${ulid()}`;
    const shard = env.WAIT_SHARDS.getByName(signalShard(signal));
    const now = Date.now();
    await shard.claimSignal(hold(signal, "run-a", now + 60_000), false, now);
    await shard.claimSignal(hold(signal, "run-b", now + 60_000), true, now);
    await shard.remove(["run-a:w"]);
    expect((await holdOf(signal))?.run_id).toBe("run-b");
    await shard.remove(["run-b:w"]);
    expect(await holdOf(signal)).toBeNull();
  });
});
