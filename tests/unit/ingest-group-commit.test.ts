import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/ingest/group-commit";

/** A call that records each group it is given and settles only when the test says so. */
function gatedCalls<R>() {
  const groups: { items: string[]; settle: PromiseWithResolvers<R> }[] = [];
  const call = (items: string[]) => {
    const settle = Promise.withResolvers<R>();
    groups.push({ items, settle });
    return settle.promise;
  };
  return { groups, call };
}

/** Lets every queued continuation run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const LIMITS = { maxItems: 100, maxBytes: 1_000 };

describe("GroupCommit", () => {
  it("starts a call at once when none is in flight, and groups what arrives meanwhile into the next", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    const { groups, call } = gatedCalls<string>();
    const first = commit.submit("k", ["a"], 1, call);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([["a"]]);

    const second = commit.submit("k", ["b"], 1, call);
    const third = commit.submit("k", ["c", "d"], 2, call);
    await tick();
    expect(groups).toHaveLength(1);

    groups[0]!.settle.resolve("one");
    await expect(first).resolves.toBe("one");
    await tick();
    expect(groups.map((g) => g.items)).toEqual([["a"], ["b", "c", "d"]]);

    groups[1]!.settle.resolve("two");
    await expect(second).resolves.toBe("two");
    await expect(third).resolves.toBe("two");
    expect(commit.activeKeys()).toEqual([]);
  });

  it("answers no member before the call carrying its own items has settled", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    const { groups, call } = gatedCalls<string>();
    const answered: string[] = [];
    void commit.submit("k", ["a"], 1, call).then(() => answered.push("a"));
    await tick();
    void commit.submit("k", ["b"], 1, call).then(() => answered.push("b"));
    groups[0]!.settle.resolve("x");
    await tick();
    expect(answered).toEqual(["a"]);
    groups[1]!.settle.resolve("y");
    await tick();
    expect(answered).toEqual(["a", "b"]);
  });

  it("keeps keys apart: a call in flight for one key does not hold up another", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    const { groups, call } = gatedCalls<string>();
    void commit.submit("one", ["a"], 1, call);
    const other = commit.submit("two", ["b"], 1, call);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([["a"], ["b"]]);
    groups[1]!.settle.resolve("b done");
    await expect(other).resolves.toBe("b done");
    expect(commit.activeKeys()).toEqual(["one"]);
  });

  it("caps a group by items and bytes, and sends a single submission over the caps alone", async () => {
    const commit = new GroupCommit<string, number>({ maxItems: 3, maxBytes: 10 });
    const { groups, call } = gatedCalls<number>();
    void commit.submit("k", ["lead"], 1, call);
    await tick();
    const all = [
      commit.submit("k", ["a", "b"], 2, call),
      commit.submit("k", ["c"], 1, call),
      commit.submit("k", ["d"], 1, call), // would make 4 items: next group
      commit.submit("k", ["big"], 20, call), // over maxBytes with anything: alone
      commit.submit("k", ["e"], 1, call),
    ];
    for (let i = 0; i < 5; i++) {
      await tick();
      groups.at(-1)!.settle.resolve(groups.length);
    }
    await Promise.all(all);
    expect(groups.map((g) => g.items)).toEqual([["lead"], ["a", "b", "c"], ["d"], ["big"], ["e"]]);
  });

  it("when a shared call fails, each member tries its own items alone, so one bad member fails only itself", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    const calls: string[][] = [];
    const gate = Promise.withResolvers<void>();
    const call = async (items: string[]) => {
      calls.push(items);
      await gate.promise;
      if (items.includes("bad")) throw new Error(`refused ${items.join(",")}`);
      return items.join(",");
    };
    const lead = commit.submit("k", ["lead"], 1, call);
    await tick();
    const good = commit.submit("k", ["good"], 1, call);
    const bad = commit.submit("k", ["bad"], 1, call);
    gate.resolve();
    await expect(lead).resolves.toBe("lead");
    await expect(good).resolves.toBe("good");
    await expect(bad).rejects.toThrow("refused bad");
    expect(calls.slice(0, 2)).toEqual([["lead"], ["good", "bad"]]);
    expect(calls.slice(2).sort()).toEqual([["bad"], ["good"]]);
  });

  it("passes a lone member's failure straight through, and the lane keeps working after it", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("shard unavailable");
    };
    await expect(commit.submit("k", ["a"], 1, failing)).rejects.toThrow("shard unavailable");
    expect(calls).toBe(1);
    await expect(commit.submit("k", ["b"], 1, async (items) => items.join())).resolves.toBe("b");
    expect(commit.activeKeys()).toEqual([]);
  });

  it("uses the leader's call for the whole group", async () => {
    const commit = new GroupCommit<string, string>(LIMITS);
    const { groups, call } = gatedCalls<string>();
    const used: string[] = [];
    void commit.submit("k", ["a"], 1, call);
    await tick();
    const b = commit.submit("k", ["b"], 1, (items) => (used.push(`b:${items.join()}`), Promise.resolve("via b")));
    const c = commit.submit("k", ["c"], 1, (items) => (used.push(`c:${items.join()}`), Promise.resolve("via c")));
    groups[0]!.settle.resolve("a");
    await expect(b).resolves.toBe("via b");
    await expect(c).resolves.toBe("via b");
    expect(used).toEqual(["b:b,c"]);
  });
});
