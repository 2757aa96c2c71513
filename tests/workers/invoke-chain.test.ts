/**
 * The chain guard through `step.invoke` (issue 8): a function triggered by
 * `inngest/function.finished` with no filter that invokes another function is started again by
 * that child's end event, and so on. The chain depth rides along on `inngest/function.invoked`,
 * so such a loop stops after MAX_FUNCTION_EVENT_DEPTH generations, like one through end events
 * alone, and the stop is kept in `skipped_runs` as `chain_depth`. Real official-SDK apps, real
 * RunObjects, the real events Queue and its routing.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest, referenceFunction } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FUNCTION_EVENT_DEPTH } from "../../src/constants";
import { publishFunctionsChanged } from "../../src/sync/registry";
import { saveApp } from "../../src/sync/store";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { httpFunctionConfig as config } from "./helpers/function-config";
import { rows } from "./helpers/d1";
import { waitFor } from "./helpers/wait";
import { postEvents } from "./helpers/worker";

let router: ReturnType<typeof installFetchRouter>;

beforeAll(() => {
  router = installFetchRouter();
});

afterAll(async () => {
  for (const id of await listDurableObjectIds(env.RUNS)) {
    await runInDurableObject(env.RUNS.get(id), (_instance, state) => state.storage.deleteAlarm());
  }
});

/**
 * Serves and syncs an app of three functions: `seed` (started by `<app>/go`), `listener`
 * (started by every `inngest/function.finished`, no filter) which invokes `child` `invokes`
 * times at once, and `child`. Returns the app's function ids.
 */
async function syncLoopApp(appId: string, invokes: number) {
  const origin = `http://${appId}.test`;
  const url = `${origin}/api/inngest`;
  const client = new Inngest({ id: appId });
  const child = referenceFunction({ appId, functionId: "child" });
  const functions = [
    client.createFunction({ id: "seed", retries: 0, triggers: [{ event: `${appId}/go` }] }, async () => "seeded"),
    client.createFunction({ id: "listener", retries: 0, triggers: [{ event: "inngest/function.finished" }] }, async ({ step }) => {
      await Promise.all(Array.from({ length: invokes }, (_, i) => step.invoke(`child-${i}`, { function: child, data: { i } })));
      return "listened";
    }),
    client.createFunction({ id: "child", retries: 0, triggers: [{ event: `${appId}/child` }] }, async () => "child done"),
  ];
  router.route(origin, sdkHandler(client, functions));
  const configs = [
    config(appId, url, "seed", `${appId}/go`),
    config(appId, url, "listener", "inngest/function.finished"),
    config(appId, url, "child", `${appId}/child`),
  ];
  await saveApp(env.DB, { id: appId, url }, configs, Date.now());
  await publishFunctionsChanged(env);
  return { seed: `${appId}-seed`, listener: `${appId}-listener`, child: `${appId}-child` };
}

/** Removes the app's functions, so its listener does not hear the next test's runs end. */
async function unsync(appId: string): Promise<void> {
  await saveApp(env.DB, { id: appId, url: `http://${appId}.test/api/inngest` }, [], Date.now());
  await publishFunctionsChanged(env);
}

interface Tally {
  /** Ended runs of each function, from history. */
  ended: Record<string, number>;
  /** Runs of any function still not ended in history. */
  active: number;
  /** Skips of each reason, for `functionId`. */
  skips: Record<string, number>;
}

/** What history says ran and was skipped for the functions of `appId`. */
async function tally(appId: string, functionId: string): Promise<Tally> {
  const runs = await rows<{ function_id: string; status: string; n: number }>(
    "SELECT function_id, status, count(*) AS n FROM runs WHERE app_id = ? GROUP BY function_id, status",
    appId,
  );
  const skips = await rows<{ reason: string; n: number }>("SELECT reason, count(*) AS n FROM skipped_runs WHERE function_id = ? GROUP BY reason", functionId);
  const ended: Record<string, number> = {};
  let active = 0;
  for (const r of runs) {
    if (r.status === "completed") ended[r.function_id] = (ended[r.function_id] ?? 0) + r.n;
    else active += r.n;
  }
  return { ended, active, skips: Object.fromEntries(skips.map((s) => [s.reason, s.n])) };
}

/** The `_inngest.depth` of each end event the guard kept from starting `functionId` (the events table stores whole events). */
async function stoppedDepths(functionId: string): Promise<number[]> {
  const found = await rows<{ depth: number }>(
    `SELECT e.data ->> '$.data._inngest.depth' AS depth FROM skipped_runs s JOIN events e ON e.internal_id = s.event_id
     WHERE s.function_id = ? AND s.reason = 'chain_depth'`,
    functionId,
  );
  return found.map((r) => r.depth);
}

/**
 * Starts the loop with one `seed` run and waits until history shows the expected outcome: every
 * run ended, and the listener skipped `stops` times for chain depth. Without the guard carrying
 * the depth through invokes the loop never ends and no such skip appears.
 */
async function runLoop(appId: string, invokes: number) {
  const ids = await syncLoopApp(appId, invokes);
  // Generation g (1..MAX) of the listener runs invokes^(g-1) times; each run invokes `invokes` children.
  const listenerRuns = Array.from({ length: MAX_FUNCTION_EVENT_DEPTH }, (_, g) => invokes ** g).reduce((a, b) => a + b, 0);
  const childRuns = listenerRuns * invokes;
  const stops = invokes ** MAX_FUNCTION_EVENT_DEPTH;
  const sent = await postEvents({ name: `${appId}/go`, data: {} });
  expect(sent.status).toBe(200);
  const settled = await waitFor(
    `${listenerRuns} listener and ${childRuns} child runs ended, ${stops} chain_depth and ${listenerRuns} self_trigger skips`,
    async () => {
      const now = await tally(appId, ids.listener);
      const done =
        now.active === 0 &&
        (now.skips["chain_depth"] ?? 0) >= stops &&
        (now.skips["self_trigger"] ?? 0) >= listenerRuns &&
        (now.ended[ids.listener] ?? 0) >= listenerRuns &&
        (now.ended[ids.child] ?? 0) >= childRuns;
      return done ? now : undefined;
    },
    150_000,
  );
  await unsync(appId);
  return { ids, settled, listenerRuns, childRuns, stops };
}

describe("a function started by inngest/function.finished that invokes another", () => {
  it("stops after MAX_FUNCTION_EVENT_DEPTH generations, the stop kept as a chain_depth skip", { timeout: 180_000 }, async () => {
    const { ids, settled, listenerRuns, childRuns } = await runLoop("ichain-one", 1);
    expect(settled.ended).toEqual({ [ids.seed]: 1, [ids.listener]: listenerRuns, [ids.child]: childRuns });
    expect(listenerRuns).toBe(MAX_FUNCTION_EVENT_DEPTH);
    // The last child's end event, one deeper than the bound, started nothing; the listener's own
    // end events never start it (one per listener run).
    expect(settled.skips).toEqual({ chain_depth: 1, self_trigger: listenerRuns });
    expect(await stoppedDepths(ids.listener)).toEqual([MAX_FUNCTION_EVENT_DEPTH + 1]);
  });

  it("stops too when each run invokes twice, doubling every generation", { timeout: 180_000 }, async () => {
    const { ids, settled, listenerRuns, childRuns, stops } = await runLoop("ichain-two", 2);
    expect(settled.ended).toEqual({ [ids.seed]: 1, [ids.listener]: listenerRuns, [ids.child]: childRuns });
    expect(settled.skips).toEqual({ chain_depth: stops, self_trigger: listenerRuns });
    expect(await stoppedDepths(ids.listener)).toEqual(Array.from({ length: stops }, () => MAX_FUNCTION_EVENT_DEPTH + 1));
  });
});
