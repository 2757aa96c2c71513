import { describe, expect, it } from "vitest";
import { readBounded, readBoundedText } from "../../src/util/read-bounded";
import { endlessBody } from "./helpers/endless-body";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("readBounded", () => {
  it("reads a body of exactly the cap, joining its chunks in order", async () => {
    const read = await readBoundedText(streamOf("ab", "cd", "é"), 6);
    expect(read).toEqual({ ok: true, text: "abcdé" });
  });

  it("refuses a body one byte over the cap", async () => {
    expect(await readBounded(streamOf("abc", "defg"), 6)).toEqual({ ok: false, readBytes: 7 });
  });

  it("reads no body as empty", async () => {
    expect(await readBoundedText(null, 0)).toEqual({ ok: true, text: "" });
  });

  it("stops at the first chunk past the cap and cancels the rest of the stream", async () => {
    const body = endlessBody(1000, 1_000_000);
    expect(await readBounded(body.stream, 10_500)).toEqual({ ok: false, readBytes: 11_000 });
    expect(body.produced()).toBeLessThanOrEqual(12_000);
    expect(body.cancelled()).toBe(true);
  });
});
