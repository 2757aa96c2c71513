import { describe, expect, it } from "vitest";
import { MAX_ROW_BYTES, STORAGE_CHUNK_BYTES } from "../../src/constants";
import { chunkString } from "../../src/runs/blobs";
import { jsonBytes, splitUtf8, utf8Bytes } from "../../src/util/utf8";

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).byteLength;

describe("utf8Bytes", () => {
  it.each([
    ["ascii", "hello"],
    ["two-byte", "é".repeat(10)],
    ["three-byte", "€漢"],
    ["four-byte (a surrogate pair)", "😀🚀"],
    ["mixed", "a€😀é"],
    ["lone high surrogate", "x\ud83dy"],
    ["lone low surrogate at the end", "x\ude00"],
  ])("counts %s text as TextEncoder does", (_label, text) => {
    expect(utf8Bytes(text)).toBe(bytesOf(text));
  });

  it("measures JSON as stored", () => {
    expect(jsonBytes({ a: "€" })).toBe(bytesOf('{"a":"€"}'));
    expect(jsonBytes(undefined)).toBe(4);
  });
});

describe("byte-measured chunks at the production row limit", () => {
  it("keeps a storage chunk well under the 2 MB row limit", () => {
    expect(STORAGE_CHUNK_BYTES).toBeLessThan(MAX_ROW_BYTES);
  });

  it.each([
    ["€ (3 bytes)", "€"],
    ["😀 (4 bytes, 2 code units)", "😀"],
    ["a mix that puts boundaries everywhere", "a€😀é"],
  ])("splits 5 MB of %s into pieces of at most the chunk size, none cutting a character", (_label, unit) => {
    const text = unit.repeat(Math.ceil(5_000_000 / bytesOf(unit)));
    const chunks = chunkString(text);
    expect(chunks.join("")).toBe(text);
    for (const chunk of chunks) {
      expect(bytesOf(chunk)).toBeLessThanOrEqual(STORAGE_CHUNK_BYTES);
      expect(chunk.isWellFormed()).toBe(true);
    }
    // Filled by bytes: every chunk but the last is short of the limit by less than one character.
    for (const chunk of chunks.slice(0, -1)) expect(bytesOf(chunk)).toBeGreaterThan(STORAGE_CHUNK_BYTES - 4);
  });

  it("fills chunks to the byte: a value of exactly two chunks is two chunks", () => {
    const text = "€".repeat((2 * 999_999) / 3);
    expect(splitUtf8(text, 999_999).map(bytesOf)).toEqual([999_999, 999_999]);
  });

  it("stores an empty string as one empty chunk", () => {
    expect(chunkString("")).toEqual([""]);
  });

  it("refuses a piece size that cannot hold a character", () => {
    expect(() => splitUtf8("😀", 3)).toThrow(RangeError);
  });
});
