import { describe, expect, it } from "vitest";
import { SIGNING_KEY_CACHE_ENTRIES } from "../../src/constants";
import { keyCache } from "../../src/protocol/key-cache";

describe("keyCache", () => {
  it("derives each key's value once and hands the same value to every caller", async () => {
    const derived: string[] = [];
    const of = keyCache(async (key) => {
      derived.push(key);
      return `hash(${key})`;
    });
    expect(await of("a")).toBe("hash(a)");
    expect(await of("a")).toBe("hash(a)");
    expect(await of("b")).toBe("hash(b)");
    expect(derived).toEqual(["a", "b"]);
  });

  it("keeps no failed derivation: the next caller derives again", async () => {
    let calls = 0;
    const of = keyCache(async (key) => {
      calls++;
      if (calls === 1) throw new Error("crypto refused");
      return key.toUpperCase();
    });
    await expect(of("k")).rejects.toThrow("crypto refused");
    expect(await of("k")).toBe("K");
    expect(calls).toBe(2);
  });

  it("holds at most SIGNING_KEY_CACHE_ENTRIES keys", async () => {
    const derived: string[] = [];
    const of = keyCache(async (key) => {
      derived.push(key);
      return key;
    });
    for (let i = 0; i <= SIGNING_KEY_CACHE_ENTRIES; i++) await of(`k${i}`);
    // The map was cleared to make room for the last key, so the first is derived again.
    await of("k0");
    expect(derived.filter((k) => k === "k0")).toHaveLength(2);
    // The last key was kept.
    await of(`k${SIGNING_KEY_CACHE_ENTRIES}`);
    expect(derived.filter((k) => k === `k${SIGNING_KEY_CACHE_ENTRIES}`)).toHaveLength(1);
  });
});
