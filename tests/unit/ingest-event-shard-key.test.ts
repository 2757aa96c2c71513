import { describe, expect, it } from "vitest";
import { EVENT_SHARD_COUNT } from "../../src/constants";
import { deduplicates, eventShardName, eventShardOf, shardIndex } from "../../src/ingest/event-shard-key";

const ULID = "01J0000000000000000000000A";

describe("event shard placement", () => {
  it("places an event with a sender's id by that id, so every event with the id meets in one shard", () => {
    const a = eventShardOf({ internalId: "01J0000000000000000000000A", id: "order-1" });
    const b = eventShardOf({ internalId: "01J0000000000000000000000B", id: "order-1" });
    expect(a).toBe(b);
    expect(a).toBe(shardIndex("id:order-1"));
  });

  it("places an event without a sender's id, or with a target, by its internal id", () => {
    expect(eventShardOf({ internalId: ULID, id: ULID })).toBe(shardIndex(`internal:${ULID}`));
    expect(eventShardOf({ internalId: ULID })).toBe(shardIndex(`internal:${ULID}`));
    // Two functions' cron ticks share an id without being duplicates: placed apart, not deduplicated.
    expect(deduplicates({ internalId: ULID, id: "2026-01-01T00:00:00Z", target: "fn-a" })).toBe(false);
    expect(eventShardOf({ internalId: ULID, id: "2026-01-01T00:00:00Z", target: "fn-a" })).toBe(shardIndex(`internal:${ULID}`));
  });

  it("deduplicates only a sender's id on an event for no one function", () => {
    expect(deduplicates({ internalId: ULID, id: "order-1" })).toBe(true);
    expect(deduplicates({ internalId: ULID, id: ULID })).toBe(false);
    expect(deduplicates({ internalId: ULID, id: 42 })).toBe(false);
  });

  it("spreads internal ids over every shard, none far from its share", () => {
    const counts = new Array<number>(EVENT_SHARD_COUNT).fill(0);
    const n = 16_000;
    for (let i = 0; i < n; i++) counts[shardIndex(`internal:01J${String(i).padStart(23, "0")}`)]!++;
    const share = n / EVENT_SHARD_COUNT;
    for (const c of counts) {
      expect(c).toBeGreaterThan(share * 0.8);
      expect(c).toBeLessThan(share * 1.2);
    }
  });

  it("names shards by index", () => {
    expect(eventShardName(3)).toBe("events-3");
    for (const key of ["a", "id:x", "internal:y", "é漢字"]) {
      const i = shardIndex(key);
      expect(Number.isInteger(i) && i >= 0 && i < EVENT_SHARD_COUNT).toBe(true);
    }
  });
});
