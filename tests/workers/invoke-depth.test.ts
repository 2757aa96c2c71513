/**
 * The guard on step.invoke chains (issue 8): a run that is already MAX_INVOKE_DEPTH invokes deep
 * cannot invoke again, so a function invoking itself without end stops with a clear error.
 */
import { Inngest, referenceFunction } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_INVOKE_DEPTH } from "../../src/constants";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { rows, type EventRow } from "./helpers/d1";
import { clearAlarm, driveToEnd, historySteps, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "deep";
const APP_URL = "http://deep.test/api/inngest";
const FN_ID = `${APP_ID}-recurse`;
const started: string[] = [];

beforeAll(() => {
  const router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  const recurse = client.createFunction({ id: "recurse", retries: 0, triggers: [{ event: "deep/go" }] }, async ({ step }) => {
    await step.invoke("again", { function: referenceFunction({ appId: APP_ID, functionId: "recurse" }), data: {} });
    return "unreachable";
  });
  router.route("http://deep.test", sdkHandler(client, [recurse]));
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

/** Starts a run of the self-invoking function as if it were invoked `depth` deep. */
async function startAtDepth(depth: number) {
  const input = runStart(APP_URL, APP_ID, "recurse", "inngest/function.invoked");
  input.events[0]!.data = { _inngest: { fn_id: FN_ID, correlation_id: `parent.${depth}`, invoke_depth: depth } };
  started.push(input.runId);
  expect(await runStub(input.runId).start(input)).toEqual({ created: true });
  return input.runId;
}

/** The invoke events a run emitted for its children. */
function invokesFrom(runId: string) {
  return rows<EventRow>("SELECT * FROM events WHERE name = 'inngest/function.invoked' AND data ->> '$._inngest.source_run_id' = ?", runId);
}

describe("step.invoke chain depth", () => {
  it("fails the invoke step with InvokeDepthExceeded, starting no child, past MAX_INVOKE_DEPTH", { timeout: 30_000 }, async () => {
    const runId = await startAtDepth(MAX_INVOKE_DEPTH);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("failed");
    const steps = await waitFor("the invoke step's history", async () => {
      const found = await historySteps(runId);
      return found.some((s) => s.status === "failed") ? found : undefined;
    });
    const invoke = steps.find((s) => s.name === "again");
    expect(invoke).toMatchObject({ status: "failed" });
    expect(JSON.parse(invoke!.error!)).toMatchObject({
      name: "InvokeDepthExceeded",
      code: "invoke_depth_exceeded",
      message: expect.stringContaining(`at most ${MAX_INVOKE_DEPTH} step.invoke calls may be nested`),
    });
    expect(await invokesFrom(runId)).toEqual([]);
  });
});
