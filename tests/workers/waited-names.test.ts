/**
 * The event names runs wait for, listed in the registry by name shards before they store a wait,
 * so routing skips the wait-index lookup for every other name without missing a registered wait.
 */
import { createMessageBatch, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { REGISTRY_OBJECT_NAME, WAITED_NAME_LISTING_SLACK_MS, WAITED_NAMES_UPGRADE_TRUST_MS } from "../../src/constants";
import type { StoredEvent } from "../../src/ingest/event";
import { consumeEvents } from "../../src/routing/consume-events";
import { routingView } from "../../src/sync/registry";
import type { Pause } from "../../src/waits/pause";
import { registerPause } from "../../src/waits/register";
import { WaitedNames } from "../../src/waits/waited-names";
import { meterSubrequests } from "./helpers/subrequests";

const NOW = Date.now();
const HOUR = 60 * 60 * 1000;

function pause(id: string, eventName: string, over: Partial<Pause> = {}): Pause {
  return {
    id: `${id}:step`,
    runId: id,
    stepId: "step",
    kind: "wait",
    eventName,
    expression: null,
    triggerEvent: { name: "names/trigger", data: { orderId: id }, id, ts: NOW, user: {} },
    createdAt: NOW,
    expiresAt: NOW + HOUR,
    ...over,
  };
}

/** The names among `names` routing would skip the lookup for at `now`, sorted. */
async function quiet(names: string[], now = NOW): Promise<string[]> {
  return [...(await routingView(env, names, now)).quiet].sort();
}

/** Durable Object calls the events consumer makes to route one event named `name` (no function matches it). */
async function objectCallsToRoute(name: string): Promise<number> {
  const internalId = ulid();
  const event: StoredEvent = { name, data: { orderId: "none" }, ts: Date.now(), user: {}, internalId, id: internalId };
  const batch = createMessageBatch<unknown>("stepflare-events", [{ id: internalId, timestamp: new Date(), attempts: 1, body: { kind: "event", event } }]);
  const meter = meterSubrequests();
  try {
    return (await meter.measure(() => consumeEvents(batch, env))).counts.durableObject;
  } finally {
    meter.restore();
  }
}

describe("event names with waits", () => {
  it("are quiet until a wait without a lookup registers, and again once its listing has ended", async () => {
    expect(await quiet(["names/a", "names/b"])).toEqual(["names/a", "names/b"]);
    await registerPause(env, pause("run-a", "names/a"), NOW);
    expect(await quiet(["names/a", "names/b", "names/a"])).toEqual(["names/b"]);
    // Listed an hour past the wait's expiry; lookups would find nothing then anyway.
    expect(await quiet(["names/a"], NOW + HOUR + WAITED_NAME_LISTING_SLACK_MS - 1)).toEqual([]);
    expect(await quiet(["names/a"], NOW + HOUR + WAITED_NAME_LISTING_SLACK_MS)).toEqual(["names/a"]);
  });

  it("are listed by an equality wait (through its match path), and by a later one that outlives the listing", async () => {
    const equality = { expression: "event.data.orderId == async.data.orderId" };
    await registerPause(env, pause("run-e1", "names/paid", equality), NOW);
    expect(await quiet(["names/paid"])).toEqual([]);
    const later = NOW + 30 * 24 * HOUR;
    await registerPause(env, pause("run-e2", "names/paid", { ...equality, expiresAt: later }), NOW);
    expect(await quiet(["names/paid"], later - 1)).toEqual([]);
    expect(await quiet(["names/paid"], later + WAITED_NAME_LISTING_SLACK_MS)).toEqual(["names/paid"]);
  });

  it("make routing ask the wait index only for events someone waits for", async () => {
    // The wait's expression never matches: asking its shard is the only difference.
    await registerPause(env, pause("run-w", "names/waited", { expression: "async.data.orderId == 'never'" }), NOW);
    const skipped = await objectCallsToRoute("names/unwaited");
    const asked = await objectCallsToRoute("names/waited");
    expect(asked).toBe(skipped + 1);
  });

  it("are all looked up on a registry that predates the listing, until the longest wait has passed", async () => {
    await runInDurableObject(env.REGISTRY.getByName(REGISTRY_OBJECT_NAME), (_instance, state) => {
      state.storage.kv.delete("waited-names-since");
      const upgraded = new WaitedNames(state.storage, true, NOW);
      expect(upgraded.quiet(["names/x"], NOW)).toEqual([]);
      // The start of the listing is stored: a restart does not move it.
      expect(new WaitedNames(state.storage, true, NOW + HOUR).quiet(["names/x"], NOW + WAITED_NAMES_UPGRADE_TRUST_MS - 1)).toEqual([]);
      expect(new WaitedNames(state.storage, true, NOW + HOUR).quiet(["names/x"], NOW + WAITED_NAMES_UPGRADE_TRUST_MS)).toEqual(["names/x"]);
      state.storage.kv.delete("waited-names-since");
      expect(new WaitedNames(state.storage, false, NOW).quiet(["names/x"], NOW)).toEqual(["names/x"]);
    });
  });
});
