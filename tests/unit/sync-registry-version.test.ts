import { describe, expect, it } from "vitest";
import { bumpVersion, currentVersion, type VersionStorage } from "../../src/sync/registry-version";

/** A Durable Object's key-value storage, in memory. */
function memoryStorage(): VersionStorage & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(key: string) => data.get(key) as T | undefined,
    put: <T>(key: string, value: T) => void data.set(key, value),
  };
}

describe("registry version", () => {
  it("stays the same until bumped, and every bump gives a new version", () => {
    const storage = memoryStorage();
    const first = currentVersion(storage);
    expect(currentVersion(storage)).toBe(first);
    const seen = new Set([first]);
    for (let i = 0; i < 5; i++) {
      const bumped = bumpVersion(storage);
      expect(seen.has(bumped)).toBe(false);
      expect(currentVersion(storage)).toBe(bumped);
      seen.add(bumped);
    }
  });

  it("never repeats a version after its storage is lost", () => {
    const before = memoryStorage();
    const old = [currentVersion(before), bumpVersion(before), bumpVersion(before)];
    // The same number of bumps on fresh storage (a reset object) gives versions an isolate has
    // not cached a list for.
    const after = memoryStorage();
    const fresh = [currentVersion(after), bumpVersion(after), bumpVersion(after)];
    for (const version of fresh) expect(old).not.toContain(version);
  });
});
