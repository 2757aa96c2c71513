import { describe, expect, it } from "vitest";
import { initialSingleton, singletonClaim, singletonRelease } from "../../src/flow/singleton";

describe("singletonClaim", () => {
  it("starts a run on a free key", () => {
    expect(initialSingleton()).toEqual({ holder: null });
    expect(singletonClaim(initialSingleton(), "r1", "skip")).toEqual({ state: { holder: "r1" }, outcome: "start", cancel: null });
  });

  it("skips a second run in skip mode and keeps the holder", () => {
    const held = { holder: "r1" };
    expect(singletonClaim(held, "r2", "skip")).toEqual({ state: held, outcome: "skip", cancel: null });
  });

  it("starts the new run and names the old one to cancel in cancel mode", () => {
    expect(singletonClaim({ holder: "r1" }, "r2", "cancel")).toEqual({ state: { holder: "r2" }, outcome: "start", cancel: "r1" });
  });

  it("lets the holder claim again in either mode", () => {
    for (const mode of ["skip", "cancel"] as const) {
      expect(singletonClaim({ holder: "r1" }, "r1", mode)).toEqual({ state: { holder: "r1" }, outcome: "start", cancel: null });
    }
  });

  it("does not mutate its input", () => {
    const state = Object.freeze({ holder: "r1" });
    singletonClaim(state, "r2", "cancel");
    singletonRelease(state, "r1");
    expect(state.holder).toBe("r1");
  });
});

describe("singletonRelease", () => {
  it("frees the key for its holder only", () => {
    expect(singletonRelease({ holder: "r1" }, "r1")).toEqual({ holder: null });
    expect(singletonRelease({ holder: "r2" }, "r1")).toEqual({ holder: "r2" });
    expect(singletonRelease(initialSingleton(), "r1")).toEqual({ holder: null });
  });

  it("lets a new run start after the holder ends, and not before", () => {
    let state = singletonClaim(initialSingleton(), "r1", "skip").state;
    expect(singletonClaim(state, "r2", "skip").outcome).toBe("skip");
    state = singletonRelease(state, "r1");
    expect(singletonClaim(state, "r2", "skip").outcome).toBe("start");
  });

  it("keeps the key for the new run when a cancelled run releases late", () => {
    const { state } = singletonClaim({ holder: "r1" }, "r2", "cancel");
    expect(singletonRelease(state, "r1")).toEqual({ holder: "r2" });
  });
});
