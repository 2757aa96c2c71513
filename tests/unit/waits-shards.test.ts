import { describe, expect, it } from "vitest";
import { ulidFromParts } from "../../src/ingest/event-ids";
import type { StoredEvent } from "../../src/ingest/event";
import { shardSatisfies } from "../../src/waits/match-pauses";
import { toPauseRow, type Pause } from "../../src/waits/pause";
import { equalityShard, nameShard } from "../../src/waits/shard-names";

const T = Date.UTC(2026, 0, 1);

function event(name: string, data: Record<string, unknown>, at: number): StoredEvent {
  const internalId = ulidFromParts(at, new Uint8Array(10));
  return { name, data, ts: at, user: {}, internalId, id: internalId };
}

function pause(over: Partial<Pause> = {}): Pause {
  return {
    id: "run:step",
    runId: "run",
    stepId: "step",
    kind: "wait",
    eventName: "shop/paid",
    expression: "event.data.orderId == async.data.orderId && async.data.total > 5",
    triggerEvent: { name: "shop/order", data: { orderId: "o-1" }, id: "e", ts: T, user: {} },
    createdAt: T,
    expiresAt: T + 60_000,
    ...over,
  };
}

describe("wait shard names", () => {
  // Stored waits are found again by these names after a deploy: they must never change.
  it("are stable", () => {
    expect(nameShard("shop/paid")).toBe("name:ad9b66cafb8624a0");
    expect(equalityShard("shop/paid", "data.orderId", '"o-1"')).toBe("eq:f0083da217241b04");
  });

  it("keep names, paths and values apart", () => {
    const names = new Set([
      equalityShard("a", "b.c", '"d"'),
      equalityShard("a.b", "c", '"d"'),
      equalityShard("a", "b", '"c.d"'),
      equalityShard("a", "b", "1"),
      equalityShard("a", "b", '"1"'),
    ]);
    expect(names.size).toBe(5);
    expect(nameShard("a")).not.toBe(nameShard("b"));
  });
});

describe("shardSatisfies", () => {
  it("matches the indexed value and the rest of the expression", () => {
    const row = toPauseRow(pause());
    expect(row.match_path).toBe("data.orderId");
    expect(shardSatisfies(row, event("shop/paid", { orderId: "o-1", total: 10 }, T + 1))).toBe(true);
    expect(shardSatisfies(row, event("shop/paid", { orderId: "o-1", total: 1 }, T + 1))).toBe(false);
    expect(shardSatisfies(row, event("shop/paid", { orderId: "o-2", total: 10 }, T + 1))).toBe(false);
    expect(shardSatisfies(row, event("shop/other", { orderId: "o-1", total: 10 }, T + 1))).toBe(false);
  });

  it("ignores events that arrived before a wait or cancellation, but not before an invoke", () => {
    const early = event("inngest/function.finished", { correlation_id: "run.step" }, T - 1);
    const match = { path: "data.correlation_id", value: JSON.stringify("run.step") };
    const invoke = toPauseRow(pause({ kind: "invoke", eventName: "inngest/function.finished", expression: null, match }));
    const cancel = toPauseRow(pause({ kind: "cancel", stepId: null, eventName: "inngest/function.finished", expression: null, match }));
    expect(shardSatisfies(invoke, early)).toBe(true);
    expect(shardSatisfies(cancel, early)).toBe(false);
  });
});
