import { describe, expect, it } from "vitest";
import { RegistryCache, type RegistrySource } from "../../src/sync/registry-cache";
import type { StoredFunction } from "../../src/sync/store";

const MAX_AGE = 60_000;
const T0 = 1_767_225_600_000;

function fn(id: string): StoredFunction {
  return { id, appId: "app", appUrl: "http://app.test/api", config: { id, name: id, triggers: [{ event: "e" }], steps: {} } as never };
}

/**
 * The registry as a sync changes it: D1 rows first, then the version. `hooks.duringList` runs
 * while a list is being read, between reading the rows and returning them, to interleave a sync.
 */
class Registry {
  rows: StoredFunction[] = [fn("a")];
  counter = 0;
  lists = 0;
  duringList: (() => void) | null = null;

  source(): RegistrySource {
    return {
      version: async () => `v${this.counter}`,
      list: async () => {
        this.lists++;
        const read = [...this.rows];
        await Promise.resolve();
        const hook = this.duringList;
        this.duringList = null;
        hook?.();
        return read;
      },
    };
  }

  sync(rows: StoredFunction[]): void {
    this.writeRows(rows);
    this.bump();
  }

  writeRows(rows: StoredFunction[]): void {
    this.rows = rows;
  }

  bump(): void {
    this.counter++;
  }
}

const ids = (list: StoredFunction[]) => list.map((f) => f.id);

describe("RegistryCache", () => {
  it("reads the list once per version", async () => {
    const registry = new Registry();
    const cache = new RegistryCache(MAX_AGE);
    expect(ids(await cache.functions(registry.source(), T0))).toEqual(["a"]);
    expect(ids(await cache.functions(registry.source(), T0 + 1))).toEqual(["a"]);
    expect(registry.lists).toBe(1);

    registry.sync([fn("a"), fn("b")]);
    expect(ids(await cache.functions(registry.source(), T0 + 2))).toEqual(["a", "b"]);
    expect(ids(await cache.functions(registry.source(), T0 + 3))).toEqual(["a", "b"]);
    expect(registry.lists).toBe(2);
  });

  it("re-reads a list older than its maximum age even when the version did not move", async () => {
    const registry = new Registry();
    const cache = new RegistryCache(MAX_AGE);
    await cache.functions(registry.source(), T0);
    // A sync whose bump failed: the rows changed, the version did not.
    registry.writeRows([fn("late")]);
    expect(ids(await cache.functions(registry.source(), T0 + MAX_AGE - 1))).toEqual(["a"]);
    expect(ids(await cache.functions(registry.source(), T0 + MAX_AGE))).toEqual(["late"]);
  });

  it("never keeps an old list once a sync that finished during the read is visible", async () => {
    // Every place a sync's two writes can fall relative to one read of the list.
    const interleavings: { name: string; before: (r: Registry) => void; during: (r: Registry) => void }[] = [
      { name: "both during the read", before: () => {}, during: (r) => r.sync([fn("new")]) },
      { name: "rows before, bump during", before: (r) => r.writeRows([fn("new")]), during: (r) => r.bump() },
      { name: "rows during, bump after", before: () => {}, during: (r) => r.writeRows([fn("new")]) },
    ];
    for (const { name, before, during } of interleavings) {
      const registry = new Registry();
      const cache = new RegistryCache(MAX_AGE);
      before(registry);
      registry.duringList = () => during(registry);
      await cache.functions(registry.source(), T0);
      // The sync completes (bumps) if it has not yet; then an event arrives.
      if (registry.counter === 0) registry.bump();
      expect(ids(await cache.functions(registry.source(), T0 + 1)), name).toEqual(["new"]);
    }
  });

  it("shares one read between concurrent callers that saw the same version", async () => {
    const registry = new Registry();
    const cache = new RegistryCache(MAX_AGE);
    const lists = await Promise.all([1, 2, 3].map((i) => cache.functions(registry.source(), T0 + i)));
    expect(lists.map(ids)).toEqual([["a"], ["a"], ["a"]]);
    expect(registry.lists).toBe(1);
  });

  it("keeps the newer list when an older read finishes last", async () => {
    const registry = new Registry();
    const cache = new RegistryCache(MAX_AGE);
    let releaseOld!: () => void;
    const slow: RegistrySource = {
      version: async () => "v0",
      list: () => new Promise((resolve) => (releaseOld = () => resolve([fn("old")]))),
    };
    const old = cache.functions(slow, T0);
    await Promise.resolve();
    registry.sync([fn("new")]);
    expect(ids(await cache.functions(registry.source(), T0 + 1))).toEqual(["new"]);
    releaseOld();
    expect(ids(await old)).toEqual(["old"]);
    expect(ids(await cache.functions(registry.source(), T0 + 2))).toEqual(["new"]);
    expect(registry.lists).toBe(1);
  });

  it("passes a failed read on and reads again next time", async () => {
    const registry = new Registry();
    const cache = new RegistryCache(MAX_AGE);
    const failing: RegistrySource = { version: async () => "v0", list: async () => Promise.reject(new Error("D1 unavailable")) };
    await expect(cache.functions(failing, T0)).rejects.toThrow("D1 unavailable");
    expect(ids(await cache.functions(registry.source(), T0 + 1))).toEqual(["a"]);
  });
});
