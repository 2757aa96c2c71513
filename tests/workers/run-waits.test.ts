/**
 * A RunObject's pauses in the wait shards, driving the real official SDK in-process: registered
 * when the run waits (with its cancelOn listeners), removed from their shards when the wait is
 * resolved and when the run ends, and delivered to exactly once.
 */
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/ingest/event";
import { resumePausedRuns } from "../../src/routing/resume-waits";
import { equalityShard, nameShard } from "../../src/waits/shard-names";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { clearAlarm, driveToEnd, runAlarm, runStart, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { shardPauseIds } from "./helpers/wait-shards";

const APP_ID = "rw";
const APP_URL = "http://app.test/api/inngest";
const started: string[] = [];
/** The step id the SDK gives `waitForEvent("w")`: the hashed step name, first use. */
const WAIT_STEP = [...new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode("w")))].map((b) => b.toString(16).padStart(2, "0")).join("");
/** Times the step after the wait ran, by run. */
const after = new Map<string, number>();

beforeAll(() => {
  const router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  const waiter = client.createFunction(
    { id: "waiter", triggers: [{ event: "rw/start" }], cancelOn: [{ event: "rw/stop", match: "data.k" }] },
    async ({ step, runId }) => {
      const got = await step.waitForEvent("w", { event: "rw/go", match: "data.k", timeout: "1h" });
      return step.run("after", () => {
        after.set(runId, (after.get(runId) ?? 0) + 1);
        return got?.data ?? null;
      });
    },
  );
  router.route("http://app.test", sdkHandler(client, [waiter]));
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

/** Starts a waiter run for key `k` and runs it until its pauses are in their shards. */
async function waiting(k: string) {
  const input = runStart(APP_URL, APP_ID, "waiter", "rw/start", { cancel: [{ event: "rw/stop", if: "event.data.k == async.data.k" }] });
  input.events[0]!.data = { k };
  started.push(input.runId);
  await runStub(input.runId).start(input);
  await waitFor(`run ${input.runId} to wait`, async () => {
    await runAlarm(input.runId);
    return (await shardPauseIds(equalityShard("rw/go", "data.k", JSON.stringify(k)))).includes(`${input.runId}:${WAIT_STEP}`) ? true : undefined;
  });
  return input.runId;
}

function event(name: string, data: Record<string, unknown>): StoredEvent {
  const internalId = ulid();
  return { name, data, ts: Date.now(), user: {}, internalId, id: internalId };
}

describe("a run's pauses in the wait shards", { timeout: 60_000 }, () => {
  it("registers its wait and cancel listener, gets the event once, and removes both when it ends", async () => {
    const runId = await waiting("k1");
    const listeners = equalityShard("rw/stop", "data.k", '"k1"');
    expect(await shardPauseIds(listeners)).toEqual([`${runId}:cancel:0`]);
    const go = event("rw/go", { k: "k1", n: 1 });
    // Delivered twice (a redelivered message): the run resumes once.
    await resumePausedRuns(env, [go], Date.now(), 200);
    await resumePausedRuns(env, [go], Date.now(), 200);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(after.get(runId)).toBe(1);
    await waitFor("the run's pauses to leave their shards", async () => {
      const left = [...(await shardPauseIds(equalityShard("rw/go", "data.k", '"k1"'))), ...(await shardPauseIds(listeners))];
      return left.some((id) => id.startsWith(runId)) ? undefined : true;
    });
  });

  it("is cancelled by its cancelOn event, which removes its wait from its shard", async () => {
    const runId = await waiting("k2");
    const { unfinished } = await resumePausedRuns(env, [event("rw/stop", { k: "k2" })], Date.now(), 200);
    expect(unfinished.size).toBe(0);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("cancelled");
    await waitFor("the cancelled run's wait to leave its shard", async () => {
      const left = await shardPauseIds(equalityShard("rw/go", "data.k", '"k2"'));
      return left.some((id) => id.startsWith(runId)) ? undefined : true;
    });
    expect(await shardPauseIds(nameShard("rw/go"))).toEqual([]);
    expect(after.has(runId)).toBe(false);
  });
});
