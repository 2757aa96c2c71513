import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { WAIT_MATCH_PATHS_PER_NAME, WAIT_SHARD_LOOKUPS_PER_BATCH } from "../../src/constants";
import { ulidFromParts } from "../../src/ingest/event-ids";
import type { StoredEvent } from "../../src/ingest/event";
import { mapLimit } from "../../src/util/map-limit";
import { resumePausedRuns } from "../../src/routing/resume-waits";
import { findPauseMatches } from "../../src/waits/find-matches";
import type { Pause } from "../../src/waits/pause";
import { registerPause } from "../../src/waits/register";
import { equalityShard, nameShard } from "../../src/waits/shard-names";
import { meterSubrequests } from "./helpers/subrequests";
import { shardHasStorage, shardPaths, shardPauseIds } from "./helpers/wait-shards";

// Shards expire pauses on their alarms by the real clock, so the test's times are current.
const NOW = Date.now();
const WAITERS = 2_000;
const trigger = (orderId: string) => ({ name: "shop/order", data: { orderId, total: 10 }, id: `t-${orderId}`, ts: NOW, user: {} });

/** A stored event received at `at` (its ULID carries the time the matcher compares). */
function incoming(name: string, data: Record<string, unknown>, at = NOW + 1_000, n = 1): StoredEvent {
  const entropy = new Uint8Array(10);
  entropy[9] = n;
  const internalId = ulidFromParts(at, entropy);
  return { name, data, ts: at, user: {}, internalId, id: internalId };
}

function waitPause(i: number, over: Partial<Pause> = {}): Pause {
  return {
    id: `run-${i}:step`,
    runId: `run-${i}`,
    stepId: "step",
    kind: "wait",
    eventName: "shop/paid",
    expression: "event.data.orderId == async.data.orderId",
    triggerEvent: trigger(`o-${i}`),
    createdAt: NOW,
    expiresAt: NOW + 60 * 60_000,
    ...over,
  };
}

const register = (pause: Pause) => registerPause(env, pause, NOW);
const runsOf = (search: Awaited<ReturnType<typeof findPauseMatches>>) => search.matches.map((m) => m.match.runId).sort();

beforeAll(async () => {
  // WAITERS runs waiting on the same event name, each for its own order: resolved by lookup.
  await mapLimit(
    Array.from({ length: WAITERS }, (_, i) => waitPause(i)),
    20,
    register,
  );
  await register(waitPause(9_001, { eventName: "shop/refund", expression: "async.data.amount > event.data.total" }));
  await register(waitPause(9_002, { eventName: "shop/refund", expression: null, expiresAt: NOW + 10 }));
  await register(
    waitPause(9_003, {
      kind: "invoke",
      eventName: "inngest/function.finished",
      expression: null,
      match: { path: "data.correlation_id", value: JSON.stringify("parent.step") },
      createdAt: NOW + 5_000,
    }),
  );
}, 120_000);

// Generous: under load on a shared machine, a test making many shard calls may pass 5 s.
describe("the wait index", { timeout: 60_000 }, () => {
  it("keeps each equality wait in the shard of its value, and the path in its name's registry", async () => {
    expect(await shardPauseIds(equalityShard("shop/paid", "data.orderId", '"o-7"'))).toEqual(["run-7:step"]);
    expect(await shardPauseIds(nameShard("shop/paid"))).toEqual([]);
    expect(await shardPaths(nameShard("shop/paid"), "shop/paid")).toEqual(["data.orderId"]);
  });

  it("finds exactly the run waiting for the incoming event's value among thousands, asking two shards", async () => {
    const meter = meterSubrequests();
    try {
      const { result: search, counts } = await meter.measure(() => findPauseMatches(env, [incoming("shop/paid", { orderId: "o-1234" })], NOW + 2_000, 200));
      expect(runsOf(search)).toEqual(["run-1234"]);
      expect(search.unfinished.size).toBe(0);
      // The name's shard (no unindexed waits, one listed path) and the shard of "o-1234": the
      // same two calls however many runs wait on other orders.
      expect(counts.durableObject).toBe(2);
    } finally {
      meter.restore();
    }
  });

  it("matches each pause once, by the earliest event of a batch", async () => {
    const first = incoming("shop/paid", { orderId: "o-5" }, NOW + 1_000, 1);
    const second = incoming("shop/paid", { orderId: "o-5" }, NOW + 1_500, 2);
    const { matches } = await findPauseMatches(env, [first, second], NOW + 2_000, 200);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.event.internalId).toBe(first.internalId);
  });

  it("ignores events that arrived before the wait was registered", async () => {
    const search = await findPauseMatches(env, [incoming("shop/paid", { orderId: "o-9" }, NOW - 1)], NOW + 2_000, 200);
    expect(search.matches).toEqual([]);
  });

  it("evaluates waits without an equality, and skips expired ones", async () => {
    const small = await findPauseMatches(env, [incoming("shop/refund", { amount: 5 })], NOW + 2_000, 200);
    expect(small.matches).toEqual([]);
    const big = await findPauseMatches(env, [incoming("shop/refund", { amount: 50 })], NOW + 2_000, 200);
    expect(runsOf(big)).toEqual(["run-9001"]);
  });

  it("matches an invoke by correlation id, even from an event stamped before the pause", async () => {
    const finished = incoming("inngest/function.finished", { correlation_id: "parent.step", result: 1 }, NOW + 1_000);
    const other = incoming("inngest/function.finished", { correlation_id: "someone.else" }, NOW + 1_000, 2);
    const search = await findPauseMatches(env, [other, finished], NOW + 2_000, 200);
    expect(runsOf(search)).toEqual(["run-9003"]);
  });

  it("keeps a wait whose name's registry is full in the name shard, where it is still found", async () => {
    const name = "shop/many-paths";
    const paths = Array.from({ length: WAIT_MATCH_PATHS_PER_NAME + 1 }, (_, i) => `k${i}`);
    const shards = await mapLimit(paths, 5, (path) =>
      register(waitPause(10_000 + paths.indexOf(path), { eventName: name, expression: `event.data.orderId == async.data.${path}` })),
    );
    expect(shards.filter((s) => s === nameShard(name))).toHaveLength(1);
    expect(await shardPaths(nameShard(name), name)).toHaveLength(WAIT_MATCH_PATHS_PER_NAME);
    const overflow = paths[shards.indexOf(nameShard(name))]!;
    const i = 10_000 + paths.indexOf(overflow);
    const search = await findPauseMatches(env, [incoming(name, { [overflow]: `o-${i}` })], NOW + 2_000, 200);
    expect(runsOf(search)).toEqual([`run-${i}`]);
  });

  it("stops at the budget and reports the event unfinished", async () => {
    const name = "shop/crowd";
    await mapLimit(
      Array.from({ length: 5 }, (_, i) => waitPause(20_000 + i, { eventName: name, expression: null })),
      5,
      register,
    );
    const event = incoming(name, {});
    const search = await findPauseMatches(env, [event], NOW + 2_000, 3);
    expect(search.matches).toHaveLength(3);
    expect([...search.unfinished]).toEqual([event.internalId]);
  });

  it("asks at most WAIT_SHARD_LOOKUPS_PER_BATCH shards per batch; the events left out are unfinished", async () => {
    const events = Array.from({ length: WAIT_SHARD_LOOKUPS_PER_BATCH + 2 }, (_, i) => incoming(`shop/name-${i}`, {}, NOW + 1_000, i % 256));
    const meter = meterSubrequests();
    try {
      const { result, counts } = await meter.measure(() => findPauseMatches(env, events, NOW + 2_000, 200));
      expect(counts.durableObject).toBe(WAIT_SHARD_LOOKUPS_PER_BATCH);
      expect([...result.unfinished].sort()).toEqual(
        events
          .slice(WAIT_SHARD_LOOKUPS_PER_BATCH)
          .map((e) => e.internalId)
          .sort(),
      );
    } finally {
      meter.restore();
    }
  });

  it("deletes expired waits on the shard's alarm", async () => {
    const name = "shop/brief";
    const shard = await registerPause(
      env,
      waitPause(30_000, { eventName: name, expression: null, createdAt: Date.now(), expiresAt: Date.now() + 50 }),
      Date.now(),
    );
    expect(await shardPauseIds(shard)).toEqual(["run-30000:step"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runDurableObjectAlarm(env.WAIT_SHARDS.getByName(shard));
    expect(await shardPauseIds(shard)).toEqual([]);
    // Emptied, the shard wiped its storage; a lookup there creates none.
    expect(await shardHasStorage(shard)).toBe(false);
    await findPauseMatches(env, [incoming(name, {})], Date.now(), 200);
    expect(await shardHasStorage(shard)).toBe(false);
  });

  it("registers more waits on a listed path without asking the name shard again", async () => {
    const meter = meterSubrequests();
    try {
      const { result: shard, counts } = await meter.measure(() => register(waitPause(50_000)));
      expect(shard).toBe(equalityShard("shop/paid", "data.orderId", '"o-50000"'));
      expect(counts.durableObject).toBe(1);
    } finally {
      meter.restore();
    }
  });

  it("registers a wait and delivers an event to waiting runs without a D1 statement", async () => {
    const meter = meterSubrequests();
    try {
      const { counts } = await meter.measure(async () => {
        await register(waitPause(40_000));
        await register(waitPause(40_001, { eventName: "shop/refund", expression: "async.data.amount > 1000" }));
        const { unfinished } = await resumePausedRuns(
          env,
          [incoming("shop/paid", { orderId: "o-40000" }), incoming("shop/refund", { amount: 5_000 }, NOW + 1_000, 2)],
          NOW + 2_000,
          200,
        );
        expect(unfinished.size).toBe(0);
      });
      expect(counts.d1).toBe(0);
      // The delivered pauses are gone from their shards; the shard of the value, emptied, wiped itself.
      expect(await shardHasStorage(equalityShard("shop/paid", "data.orderId", '"o-40000"'))).toBe(false);
      expect(await shardPauseIds(nameShard("shop/refund"))).not.toContain("run-40001:step");
    } finally {
      meter.restore();
    }
  });
});
