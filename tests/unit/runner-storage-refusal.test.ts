import { describe, expect, it } from "vitest";
import { isPermanentStorageError } from "../../src/util/storage-refusal";

describe("isPermanentStorageError", () => {
  it("recognises SQLite refusing a value for good, as D1 and Durable Objects report it", () => {
    // The forms workerd gives: D1 wraps SQLite's words, with the bare error as `cause`.
    expect(isPermanentStorageError(new Error("D1_ERROR: malformed JSON: SQLITE_ERROR"))).toBe(true);
    expect(isPermanentStorageError(new Error("D1_ERROR", { cause: new Error("string or blob too big: SQLITE_TOOBIG") }))).toBe(true);
    expect(isPermanentStorageError(new Error("string or blob too big: SQLITE_TOOBIG"))).toBe(true);
  });

  it("leaves errors that may pass on retry, and non-errors, to the retry", () => {
    expect(isPermanentStorageError(new Error("D1_ERROR: Network connection lost."))).toBe(false);
    expect(isPermanentStorageError(new Error("D1_ERROR: database is locked: SQLITE_BUSY"))).toBe(false);
    expect(isPermanentStorageError("malformed JSON")).toBe(false);
  });
});
