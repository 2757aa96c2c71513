/**
 * Realtime messages as subscribers receive them: a JSON body spliced in as sent, other text as a
 * JSON string, names escaped; a streamed publish as start, chunks that never split a character,
 * and an end that is sent also when the body fails or passes the limit.
 */
import { describe, expect, it } from "vitest";
import { REALTIME_MAX_STREAM_BYTES, REALTIME_STREAM_CHUNK_BYTES } from "../../src/constants";
import { wireMessage } from "../../src/realtime/message";
import { publishStream } from "../../src/realtime/stream-publish";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("wireMessage", () => {
  it("splices a JSON body in and names channel, topic, time and run", () => {
    const text = wireMessage({ channel: 'a"b', run_id: "01RUN" }, "t\n", ' {"x": [1, 2]} ', NOW);
    expect(JSON.parse(text)).toEqual({
      kind: "data",
      channel: 'a"b',
      topic: "t\n",
      created_at: "2026-01-02T03:04:05.000Z",
      run_id: "01RUN",
      data: { x: [1, 2] },
    });
  });

  it("sends other text, the empty body included, as a JSON string and leaves out a missing run", () => {
    expect(JSON.parse(wireMessage({ channel: "c" }, "t", "not json {", NOW))).toMatchObject({ data: "not json {" });
    const empty = JSON.parse(wireMessage({ channel: "c" }, "t", "", NOW)) as Record<string, unknown>;
    expect(empty.data).toBe("");
    expect(empty).not.toHaveProperty("run_id");
  });
});

/** A stream of `pieces`, then an error if `fail` is set. */
function bodyOf(pieces: Uint8Array[], fail = false): ReadableStream<Uint8Array> {
  const queue = [...pieces];
  // One piece per read, so an error comes after the pieces were read (erroring discards queued ones).
  return new ReadableStream({
    pull(controller) {
      const piece = queue.shift();
      if (piece) controller.enqueue(piece);
      else if (fail) controller.error(new Error("connection reset"));
      else controller.close();
    },
  });
}

async function streamed(pieces: Uint8Array[], fail = false) {
  const sent: { kind: string; data: string; stream_id?: string }[] = [];
  const outcome = await publishStream({ channel: "c" }, "t", bodyOf(pieces, fail), (m) => sent.push(JSON.parse(m)), NOW);
  return { outcome, sent, chunks: sent.filter((m) => m.kind === "chunk") };
}

describe("publishStream", () => {
  it("relays text in chunks of at most REALTIME_STREAM_CHUNK_BYTES without splitting a character", async () => {
    const text = "€".repeat(1000);
    const bytes = new TextEncoder().encode(text);
    // Pieces cut inside three-byte characters.
    const { outcome, sent, chunks } = await streamed([bytes.slice(0, 1001), bytes.slice(1001)]);
    expect(outcome).toEqual({ ended: "complete", bytes: bytes.length });
    expect(sent[0]).toMatchObject({ kind: "datastream-start" });
    expect(sent.at(-1)).toEqual(expect.objectContaining({ kind: "datastream-end", data: sent[0]!.data }));
    expect(chunks.map((c) => c.data).join("")).toBe(text);
    expect(chunks.every((c) => new TextEncoder().encode(c.data).length <= REALTIME_STREAM_CHUNK_BYTES + 2)).toBe(true);
    expect(chunks.every((c) => c.stream_id === sent[0]!.data)).toBe(true);
  });

  it("stops at REALTIME_MAX_STREAM_BYTES and still ends the stream", async () => {
    const { outcome, sent, chunks } = await streamed([new Uint8Array(REALTIME_MAX_STREAM_BYTES - 10).fill(97), new Uint8Array(20).fill(98)]);
    expect(outcome).toEqual({ ended: "too-large", bytes: REALTIME_MAX_STREAM_BYTES });
    expect(chunks.map((c) => c.data).join("")).toBe(`${"a".repeat(REALTIME_MAX_STREAM_BYTES - 10)}${"b".repeat(10)}`);
    expect(sent.at(-1)!.kind).toBe("datastream-end");
  });

  it("ends the stream when the body fails mid-way", async () => {
    const { outcome, sent, chunks } = await streamed([new TextEncoder().encode("partial")], true);
    expect(outcome).toEqual({ ended: "body-failed", bytes: 7 });
    expect(chunks.map((c) => c.data)).toEqual(["partial"]);
    expect(sent.at(-1)!.kind).toBe("datastream-end");
  });
});
