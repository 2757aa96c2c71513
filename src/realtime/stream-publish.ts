/**
 * Streamed publishing (`Content-Type: text/stream`, what the SDK sends when `publish()` is given
 * a ReadableStream): subscribers get a `datastream-start` naming a new stream id, the body's text
 * as `chunk` messages of at most REALTIME_STREAM_CHUNK_BYTES as it arrives, and a
 * `datastream-end`, which the SDK turns into one ReadableStream per stream id. Each message also
 * names its channel and topic, which the SDK's `subscribe()` requires of every chunk.
 * @module
 */
import { REALTIME_MAX_STREAM_BYTES, REALTIME_STREAM_CHUNK_BYTES } from "../constants";
import type { PublishTarget } from "./message";

/** How a streamed publish ended: all of it sent, cut at REALTIME_MAX_STREAM_BYTES, or its body failed to read. */
export type StreamOutcome = { ended: "complete" | "too-large" | "body-failed"; bytes: number };

/** `bytes` in pieces of at most REALTIME_STREAM_CHUNK_BYTES. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += REALTIME_STREAM_CHUNK_BYTES) yield bytes.subarray(at, at + REALTIME_STREAM_CHUNK_BYTES);
}

/**
 * Reads `body` and hands each message of the stream to `send`, in order; the end is always sent,
 * also when the body fails or passes REALTIME_MAX_STREAM_BYTES (then the rest is not read).
 */
export async function publishStream(
  target: Pick<PublishTarget, "channel" | "run_id">,
  topic: string,
  body: ReadableStream<Uint8Array>,
  send: (message: string) => void,
  nowMs: number,
): Promise<StreamOutcome> {
  const streamId = crypto.randomUUID();
  const base = { channel: target.channel, topic, ...(target.run_id ? { run_id: target.run_id } : {}) };
  send(JSON.stringify({ kind: "datastream-start", ...base, data: streamId, created_at: new Date(nowMs).toISOString() }));
  // Streaming decode: a character cut between two pieces is completed by the next one.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let bytes = 0;
  let ended: StreamOutcome["ended"] = "complete";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Bytes past the limit are not relayed; those up to it are.
      const allowed = value.subarray(0, REALTIME_MAX_STREAM_BYTES - bytes);
      if (allowed.length < value.length) ended = "too-large";
      for (const piece of pieces(allowed)) {
        bytes += piece.length;
        const text = decoder.decode(piece, { stream: true });
        if (text) send(JSON.stringify({ kind: "chunk", ...base, stream_id: streamId, data: text }));
      }
      if (ended === "too-large") {
        await reader.cancel();
        break;
      }
    }
    const rest = decoder.decode();
    if (rest) send(JSON.stringify({ kind: "chunk", ...base, stream_id: streamId, data: rest }));
  } catch {
    // The publisher went away mid-stream: subscribers still get the end of what it sent.
    ended = "body-failed";
  }
  send(JSON.stringify({ kind: "datastream-end", ...base, data: streamId }));
  return { ended, bytes };
}
