import { describe, expect, it } from "vitest";
import { HISTORY_ATTEMPT_ERROR_BYTES, HISTORY_ATTEMPT_ERRORS_PER_STEP } from "../../src/constants";
import { addAttemptError, type AttemptError } from "../../src/runs/attempt-errors";

describe("addAttemptError", () => {
  it("keeps attempts in order, replaces a repeated attempt, and keeps only the newest few", () => {
    let list: string | null = null;
    for (let n = 1; n <= HISTORY_ATTEMPT_ERRORS_PER_STEP + 3; n++) list = addAttemptError(list, n, JSON.stringify({ name: "Error", message: `m${n}` }), n);
    list = addAttemptError(list, HISTORY_ATTEMPT_ERRORS_PER_STEP + 3, JSON.stringify({ name: "Error", message: "again" }), 99);
    const kept = JSON.parse(list!) as AttemptError[];
    expect(kept.map((e) => e.attempt)).toEqual(Array.from({ length: HISTORY_ATTEMPT_ERRORS_PER_STEP }, (_, i) => i + 4));
    expect(kept.at(-1)).toEqual({ attempt: HISTORY_ATTEMPT_ERRORS_PER_STEP + 3, error: { name: "Error", message: "again" }, at: 99 });
  });

  it("caps a large error and records an unreadable one instead of failing", () => {
    const big = JSON.stringify({ name: "Error", message: "x".repeat(10_000), stack: "y".repeat(10_000) });
    const [capped] = JSON.parse(addAttemptError("not json", 1, big, 0)) as AttemptError[];
    expect(JSON.stringify(capped!.error).length).toBeLessThanOrEqual(HISTORY_ATTEMPT_ERROR_BYTES + 100);
    expect(capped!.error.stack).toBeUndefined();
    const [unreadable] = JSON.parse(addAttemptError(null, 1, "{", 0)) as AttemptError[];
    expect(unreadable!.error.message).toMatch(/could not be read/);
  });
});
