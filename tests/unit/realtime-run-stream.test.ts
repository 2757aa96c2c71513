import { describe, expect, it } from "vitest";
import { REALTIME_MAX_MESSAGE_BYTES } from "../../src/constants";
import { relayTee } from "../../src/realtime/run-stream";

/** A request body that delivers `chunks` as they are, one read each. */
function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

/** Relays `chunks` and answers how it ended and what was sent on. */
async function relay(chunks: string[]): Promise<{ ended: string; sent: string[] }> {
  const sent: string[] = [];
  const { ended } = await relayTee(
    bodyOf(chunks),
    (event) => sent.push(event),
    new AbortController().signal,
    () => undefined,
  );
  return { ended, sent };
}

describe("relaying a durable endpoint's stream", () => {
  it("sends whole events in order, rejoining one split across chunks, and keeps back a partial one", async () => {
    const { ended, sent } = await relay(['event: inngest.stream\ndata: "a"\n\nevent: inngest.str', 'eam\ndata: "b"\n\nevent: inngest.stream\nda']);
    expect(ended).toBe("complete");
    expect(sent).toEqual(['event: inngest.stream\ndata: "a"\n\n', 'event: inngest.stream\ndata: "b"\n\n']);
  });

  it("stops at an event over the message limit, whether it arrives whole in one chunk or in pieces", async () => {
    const big = `event: inngest.stream\ndata: "${"x".repeat(REALTIME_MAX_MESSAGE_BYTES)}"\n\n`;
    const whole = await relay(['event: inngest.stream\ndata: "a"\n\n', big]);
    expect(whole).toEqual({ ended: "too-large", sent: ['event: inngest.stream\ndata: "a"\n\n'] });
    const pieces = await relay([big.slice(0, 1000), big.slice(1000)]);
    expect(pieces).toEqual({ ended: "too-large", sent: [] });
  });
});
