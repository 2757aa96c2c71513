import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ulidFromParts } from "../../src/ingest/event-ids";
import type { StoredEvent } from "../../src/ingest/event";
import { findPauseMatches } from "../../src/waits/match-pauses";
import { savePauses, type Pause } from "../../src/waits/pause";
import { countRows } from "./helpers/d1";

const NOW = Date.UTC(2026, 5, 1);
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
    expiresAt: NOW + 60_000,
    ...over,
  };
}

beforeAll(async () => {
  // 2,000 runs waiting on the same event name, each for its own order: resolved by lookup.
  const pauses = Array.from({ length: 2_000 }, (_, i) => waitPause(i));
  for (let i = 0; i < pauses.length; i += 200) await savePauses(env.DB, pauses.slice(i, i + 200));
  await savePauses(env.DB, [
    waitPause(9_001, { eventName: "shop/refund", expression: "async.data.amount > event.data.total" }),
    waitPause(9_002, { eventName: "shop/refund", expression: null, expiresAt: NOW + 10 }),
    waitPause(9_003, {
      kind: "invoke",
      eventName: "inngest/function.finished",
      expression: null,
      match: { path: "data.correlation_id", value: JSON.stringify("parent.step") },
      createdAt: NOW + 5_000,
    }),
  ]);
});

describe("the wait index", () => {
  it("stores equality waits with their lookup key", async () => {
    expect(await countRows("pauses", "match_path = 'data.orderId' AND match_value = ?", '"o-7"')).toBe(1);
  });

  it("resumes exactly the run waiting for the incoming event's value among thousands", async () => {
    const matches = await findPauseMatches(env.DB, [incoming("shop/paid", { orderId: "o-1234" })], NOW + 2_000);
    expect(matches.map((m) => m.pause.run_id)).toEqual(["run-1234"]);
  });

  it("matches each pause once, by the earliest event of a batch", async () => {
    const first = incoming("shop/paid", { orderId: "o-5" }, NOW + 1_000, 1);
    const second = incoming("shop/paid", { orderId: "o-5" }, NOW + 1_500, 2);
    const matches = await findPauseMatches(env.DB, [first, second], NOW + 2_000);
    expect(matches).toHaveLength(1);
    expect(matches[0]!.event.internalId).toBe(first.internalId);
  });

  it("ignores events that arrived before the wait was registered", async () => {
    expect(await findPauseMatches(env.DB, [incoming("shop/paid", { orderId: "o-9" }, NOW - 1)], NOW + 2_000)).toEqual([]);
  });

  it("evaluates waits without an equality, and skips expired ones", async () => {
    const small = await findPauseMatches(env.DB, [incoming("shop/refund", { amount: 5 })], NOW + 2_000);
    expect(small).toEqual([]);
    const big = await findPauseMatches(env.DB, [incoming("shop/refund", { amount: 50 })], NOW + 2_000);
    expect(big.map((m) => m.pause.run_id)).toEqual(["run-9001"]);
  });

  it("matches an invoke by correlation id, even from an event stamped before the pause", async () => {
    const finished = incoming("inngest/function.finished", { correlation_id: "parent.step", result: 1 }, NOW + 1_000);
    const other = incoming("inngest/function.finished", { correlation_id: "someone.else" }, NOW + 1_000, 2);
    const matches = await findPauseMatches(env.DB, [other, finished], NOW + 2_000);
    expect(matches.map((m) => m.pause.run_id)).toEqual(["run-9003"]);
  });
});
