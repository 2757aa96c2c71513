/**
 * A run's state at production sizes: step results stored in rows under Cloudflare's 2 MB limit
 * however many bytes their characters take, and the 32 MiB cap on a run's whole state, reached
 * through the v4 SDK's checkpoint route, ending the run failed with RunStateTooLarge.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_ROW_BYTES, MAX_RUN_STATE_BYTES, STORAGE_CHUNK_BYTES } from "../../src/constants";
import { RunStore } from "../../src/runs/run-store";
import { emptyTransition } from "../../src/runs/transition";
import { jsonBytes } from "../../src/util/utf8";
import { clearAlarm, evict, objectRows, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { workerFetch } from "./helpers/worker";

const APP_URL = "http://size-app.test/api/inngest";
/** Runs are dated an hour ahead: nothing calls the app; the checkpoints are the only input. */
const LATER = Date.now() + 60 * 60 * 1000;
/** A step result of 3.9 MB in 1.3 M characters (under the 4 MiB step output limit). */
const EUROS = "€".repeat(1_300_000);
/** 3.6 MB of four-byte characters, each two UTF-16 code units. */
const EMOJI = "😀".repeat(900_000);

const started: string[] = [];

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

async function startRun(slug: string) {
  const input = runStart(APP_URL, "size", slug, "size/go", { startAt: LATER });
  started.push(input.runId);
  await runStub(input.runId).start(input);
  return input;
}

/** Reports one finished step through `POST /v1/checkpoint/:runId/async`, as a v4 SDK does. */
async function checkpoint(runId: string, stepId: string, data: unknown): Promise<number> {
  const res = await workerFetch(`/v1/checkpoint/${runId}/async`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ run_id: runId, steps: [{ id: stepId, op: "StepRun", name: stepId, data }] }),
  });
  await res.body?.cancel();
  return res.status;
}

async function largestRow(runId: string): Promise<number> {
  const [row] = await objectRows<{ n: number }>(runId, "SELECT max(length(CAST(data AS BLOB))) AS n FROM blobs");
  return row!.n;
}

describe("step results at production sizes", () => {
  it("are stored in rows under 2 MB, measured in bytes, and read back whole after a restart", async () => {
    const { runId } = await startRun("multibyte");
    expect(await checkpoint(runId, "euros", EUROS)).toBe(200);
    expect(await checkpoint(runId, "emoji", EMOJI)).toBe(200);

    const largest = await largestRow(runId);
    expect(largest).toBeLessThanOrEqual(STORAGE_CHUNK_BYTES);
    expect(largest).toBeLessThan(MAX_ROW_BYTES);
    const chunks = await objectRows<{ key: string; n: number }>(
      runId,
      "SELECT key, count(*) AS n FROM blobs WHERE key LIKE 'memo:%' GROUP BY key ORDER BY key",
    );
    // 3.6 MB and 3.9 MB in chunks of at most 1 MB: four each (in characters, one or two would do).
    expect(chunks).toEqual([
      { key: "memo:emoji", n: 4 },
      { key: "memo:euros", n: 4 },
    ]);

    // After a restart, the chunks join back into the same values: no character was cut in two.
    await evict(runId);
    const rows = await objectRows<{ key: string; data: string }>(runId, "SELECT key, data FROM blobs WHERE key LIKE 'memo:%' ORDER BY key, chunk");
    const joined = (key: string) =>
      JSON.parse(
        rows
          .filter((r) => r.key === key)
          .map((r) => r.data)
          .join(""),
      ) as unknown;
    expect(joined("memo:euros")).toEqual({ data: EUROS });
    expect(joined("memo:emoji")).toEqual({ data: EMOJI });
  });
});

describe("the 32 MiB cap on a run's state", () => {
  it("ends the run failed with RunStateTooLarge when a step would take it past the cap", async () => {
    const input = await startRun("hoard");
    const { runId } = input;
    const memoBytes = jsonBytes({ data: EUROS });
    const fits = Math.floor((MAX_RUN_STATE_BYTES - jsonBytes(input.events)) / memoBytes);

    for (let i = 0; i < fits; i++) expect(await checkpoint(runId, `big-${i}`, EUROS), `step ${i}`).toBe(200);
    // One more would pass the cap: refused, and the run is over (the SDK stops on a 409).
    expect(await checkpoint(runId, `big-${fits}`, EUROS)).toBe(409);

    const run = await runStub(runId).status();
    expect(run?.status).toBe("failed");
    const result = JSON.parse((await runStub(runId).result())!) as { error: { name: string; code: string; message: string } };
    expect(result.error).toMatchObject({ name: "RunStateTooLarge", code: "run_state_too_large" });
    expect(result.error.message).toContain(`the limit is ${MAX_RUN_STATE_BYTES} bytes`);
    expect(await objectRows(runId, "SELECT key FROM blobs WHERE key = 'memo:big-" + fits + "'")).toEqual([]);
    expect(await largestRow(runId)).toBeLessThanOrEqual(STORAGE_CHUNK_BYTES);

    // Nothing more is taken, and the failure reaches history with its code.
    expect(await checkpoint(runId, "small", 1)).toBe(409);
    const history = await waitFor(
      "the failed run in D1 history",
      async () => {
        const row = await env.DB.prepare("SELECT status, error FROM runs WHERE id = ?").bind(runId).first<{ status: string; error: string }>();
        return row?.status === "failed" ? row : undefined;
      },
      30_000,
    );
    expect(JSON.parse(history.error)).toMatchObject({ name: "RunStateTooLarge", code: "run_state_too_large" });
  }, 120_000);

  it("also counts the run's output: a completion that would pass the cap fails the run", async () => {
    const input = await startRun("hoard-output");
    const { runId } = input;
    const fits = Math.floor((MAX_RUN_STATE_BYTES - jsonBytes(input.events)) / jsonBytes({ data: EUROS }));
    for (let i = 0; i < fits; i++) expect(await checkpoint(runId, `big-${i}`, EUROS), `step ${i}`).toBe(200);

    // The SDK's answer to the run's discovery call: the function returned another 3.9 MB.
    await runInDurableObject(runStub(runId), (_instance, state) => {
      const store = new RunStore(state.storage);
      const [call] = store.dueCalls(Number.MAX_SAFE_INTEGER, new Set(), 1);
      store.apply(call!, { ...emptyTransition(), end: { status: "completed", output: EUROS } }, Date.now());
    });
    expect((await runStub(runId).status())?.status).toBe("failed");
    const result = JSON.parse((await runStub(runId).result())!) as { error?: { name: string } };
    expect(result.error?.name).toBe("RunStateTooLarge");
  }, 120_000);
});
