import { afterEach, describe, expect, it, vi } from "vitest";
import { BUFFER_RELEASE_RETRY_MAX_MS, BUFFER_RELEASE_RETRY_MIN_MS, BUFFER_RELEASES_PER_PASS } from "../../src/constants";
import { releaseDue, releaseRetryDelay, type PendingRelease, type ReleaseStore } from "../../src/flow/buffer-release";

const T0 = 1_767_225_600_000;

/** The FlowObject's release table, in memory. */
function memoryStore(releases: PendingRelease[]): ReleaseStore & { rows: Map<number, PendingRelease> } {
  const rows = new Map(releases.map((r) => [r.seq, { ...r }]));
  return {
    rows,
    due: (now, limit) =>
      [...rows.values()]
        .filter((r) => r.nextAt <= now)
        .sort((a, b) => a.nextAt - b.nextAt || a.seq - b.seq)
        .slice(0, limit)
        .map((r) => ({ ...r })),
    done: (seq) => void rows.delete(seq),
    retryLater: (seq, attempts, nextAt) => {
      const row = rows.get(seq);
      if (row) rows.set(seq, { ...row, attempts, nextAt });
    },
  };
}

const release = (seq: number, events: string[], nextAt = T0): PendingRelease => ({ seq, functionId: "app-fn", events, attempts: 0, nextAt });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("releaseRetryDelay", () => {
  it("doubles from the minimum and stops at the maximum", () => {
    expect(releaseRetryDelay(1)).toBe(BUFFER_RELEASE_RETRY_MIN_MS);
    expect(releaseRetryDelay(2)).toBe(2 * BUFFER_RELEASE_RETRY_MIN_MS);
    expect(releaseRetryDelay(3)).toBe(4 * BUFFER_RELEASE_RETRY_MIN_MS);
    expect(releaseRetryDelay(40)).toBe(BUFFER_RELEASE_RETRY_MAX_MS);
    expect(releaseRetryDelay(1_000_000)).toBe(BUFFER_RELEASE_RETRY_MAX_MS);
  });
});

describe("releaseDue with a start that fails", () => {
  it("keeps the events through failures and starts their run once it succeeds", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const store = memoryStore([release(1, ["e1", "e2", "e3"])]);
    let healthy = false;
    const started: string[][] = [];
    const start = vi.fn(async (r: PendingRelease) => {
      if (!healthy) throw new Error("D1_ERROR: database is overloaded");
      started.push(r.events);
    });
    let now = T0;

    // Three failures: the release stays, each attempt pushes the next one back further.
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await releaseDue(store, start, () => now)).toEqual({ started: 0, failed: 1 });
      const kept = store.rows.get(1)!;
      expect(kept).toMatchObject({ events: ["e1", "e2", "e3"], attempts: i + 1 });
      waits.push(kept.nextAt - now);
      // Not due before its time: a pass in between tries nothing (no hot loop).
      expect(await releaseDue(store, start, () => kept.nextAt - 1)).toEqual({ started: 0, failed: 0 });
      now = kept.nextAt;
    }
    expect(waits).toEqual([BUFFER_RELEASE_RETRY_MIN_MS, 2 * BUFFER_RELEASE_RETRY_MIN_MS, 4 * BUFFER_RELEASE_RETRY_MIN_MS]);
    expect(start).toHaveBeenCalledTimes(3);

    healthy = true;
    expect(await releaseDue(store, start, () => now)).toEqual({ started: 1, failed: 0 });
    expect(started).toEqual([["e1", "e2", "e3"]]);
    expect(store.rows.size).toBe(0);
    expect(await releaseDue(store, start, () => now + BUFFER_RELEASE_RETRY_MAX_MS)).toEqual({ started: 0, failed: 0 });
    expect(start).toHaveBeenCalledTimes(4);
  });

  it("is already re-scheduled while its start is under way, so a crash mid-start is retried", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const store = memoryStore([release(1, ["e1"])]);
    let seenDuring: PendingRelease | undefined;
    await releaseDue(
      store,
      async () => {
        seenDuring = { ...store.rows.get(1)! };
        // The object dies here: the stored release is what the next alarm finds.
        throw new Error("object reset");
      },
      () => T0,
    );
    expect(seenDuring).toMatchObject({ attempts: 1, nextAt: T0 + BUFFER_RELEASE_RETRY_MIN_MS });
  });

  it("lets one failing release hold back none of the others", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const store = memoryStore([release(1, ["bad"]), release(2, ["good"])]);
    const pass = await releaseDue(
      store,
      async (r) => {
        if (r.events[0] === "bad") throw new Error("RunObject call failed");
      },
      () => T0,
    );
    expect(pass).toEqual({ started: 1, failed: 1 });
    expect([...store.rows.keys()]).toEqual([1]);
  });

  it("tries at most BUFFER_RELEASES_PER_PASS releases in one pass", async () => {
    const store = memoryStore(Array.from({ length: BUFFER_RELEASES_PER_PASS + 3 }, (_, i) => release(i, [`e${i}`])));
    const pass = await releaseDue(
      store,
      async () => {},
      () => T0,
    );
    expect(pass.started).toBe(BUFFER_RELEASES_PER_PASS);
    expect(store.rows.size).toBe(3);
  });
});
