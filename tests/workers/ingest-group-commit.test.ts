/**
 * Group commit on the ingest path (issue 10, item 3): concurrent requests in one isolate that
 * store events in the same event shard share one shard call. Each request still gets its own
 * ids, answered only once its own events are stored; a sender's id deduplicates inside a group as
 * across requests; and a member the shard refuses fails alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { acceptEvents } from "../../src/ingest/accept-events";
import type { StoredEvent } from "../../src/ingest/event";
import { shardIndex } from "../../src/ingest/event-shard-key";
import { storeInShards } from "../../src/ingest/event-shards";
import { groupedAccept } from "../../src/ingest/ingest-groups";
import { clearShardAlarms, shardRows } from "./helpers/event-shards";
import { meterSubrequests } from "./helpers/subrequests";

/** Dated an hour ahead, so nothing these events might start would call an app. */
const LATER = Date.now() + 60 * 60 * 1000;

afterAll(async () => {
  await clearShardAlarms();
});

/** `count` sender ids, unique to this test run, that all fall in one shard; and that shard. */
function idsInOneShard(prefix: string, count: number): { shard: number; ids: string[] } {
  const run = ulid();
  const shard = shardIndex(`id:${prefix}-${run}-0`);
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `${prefix}-${run}-${i}`;
    if (shardIndex(`id:${id}`) === shard) ids.push(id);
  }
  return { shard, ids };
}

async function statusIn(shard: number, internalId: string): Promise<string | undefined> {
  const [row] = await shardRows<{ status: string }>(shard, "SELECT status FROM events WHERE internal_id = ?", internalId);
  return row?.status;
}

describe("group commit of concurrent ingest requests", { timeout: 60_000 }, () => {
  const sendAll = (ids: string[]) => ids.map((id) => acceptEvents(env, JSON.stringify({ name: "group/none", id, ts: LATER, data: { id } }), null, Date.now()));

  it("stores concurrent requests for one shard in two calls: the first at once, the rest, arriving meanwhile, together", async () => {
    const { ids } = idsInOneShard("calls", 20);
    const meter = meterSubrequests();
    let measured;
    try {
      measured = await meter.measure(() => Promise.all(sendAll(ids)));
    } finally {
      meter.restore();
    }
    expect(measured.result.every((r) => r.ok)).toBe(true);
    expect(measured.counts.durableObject).toBe(2);
  });

  it("answers each request with its own ids, only once its own event is stored", async () => {
    const { shard, ids: senderIds } = idsInOneShard("group", 20);
    const storedAtAnswer: (string | undefined)[] = [];
    const results = await Promise.all(
      sendAll(senderIds).map((sent) =>
        sent.then(async (result) => {
          // Read as soon as this request is answered: its own event must be in its shard.
          if (result.ok) storedAtAnswer.push(await statusIn(shard, result.ids[0]!));
          return result;
        }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const internalIds = results.map((r) => (r.ok ? r.ids : []));
    expect(internalIds.every((ids) => ids.length === 1)).toBe(true);
    expect(new Set(internalIds.flat()).size).toBe(20);
    expect(storedAtAnswer).toEqual(Array(20).fill("pending"));

    // Each request's id names its own event: the one carrying the sender id it sent.
    for (const [i, [internalId]] of internalIds.entries()) {
      const [row] = await shardRows<{ id: string; event: string }>(shard, "SELECT id, event FROM events WHERE internal_id = ?", internalId!);
      expect(row?.id).toBe(senderIds[i]);
      expect(JSON.parse(row!.event)).toMatchObject({ data: { id: senderIds[i] } });
    }
  });

  it("deduplicates a sender's id among the requests of one group: the first claims it, the others are duplicates", async () => {
    const { shard, ids } = idsInOneShard("dedupe", 2);
    const [lead, repeated] = ids as [string, string];
    const send = (id: string) => acceptEvents(env, JSON.stringify({ name: "group/none", id, ts: LATER }), null, Date.now());
    // The first request's call goes alone; the five sends of one id arrive while it is in flight.
    const results = await Promise.all([send(lead), ...Array.from({ length: 5 }, () => send(repeated))]);
    const internalIds = results.map((r) => (r.ok ? r.ids[0]! : ""));
    expect(new Set(internalIds).size).toBe(6);
    const statuses = await Promise.all(internalIds.slice(1).map((internalId) => statusIn(shard, internalId)));
    expect(statuses).toEqual(["pending", "duplicate", "duplicate", "duplicate", "duplicate"]);
    const [claim] = await shardRows<{ internal_id: string }>(shard, "SELECT internal_id FROM claims WHERE key = ?", repeated);
    expect(claim?.internal_id).toBe(internalIds[1]);
  });

  it("fails only the request the shard refuses when it shared a call with others, which are stored and answered", async () => {
    const { shard, ids } = idsInOneShard("refuse", 3);
    const event = (id: string, internalId = ulid()): StoredEvent => ({ name: "group/none", data: {}, ts: LATER, user: {}, id, internalId });
    const store = (e: StoredEvent) => storeInShards(env, [{ event: e }], Date.now(), groupedAccept(100));
    const lead = store(event(ids[0]!));
    // Not a ULID: the shard's argument check refuses the whole call it is in.
    const bad = store(event(ids[1]!, "not-an-internal-id"));
    const good = store(event(ids[2]!));
    await expect(lead).resolves.toHaveLength(1);
    await expect(bad).rejects.toThrow(/invalid argument/);
    const [stored] = await good;
    expect(stored).toBeDefined();
    expect(await statusIn(shard, stored!.event.internalId)).toBe("pending");
    expect(await statusIn(shard, "not-an-internal-id")).toBeUndefined();
  });
});
