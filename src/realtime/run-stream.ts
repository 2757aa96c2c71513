/**
 * A durable endpoint run's stream, relayed after the server took the run over. The SDK sends the
 * endpoint's `stream.push` output and its final response as SSE text (`inngest.stream`,
 * `inngest.commit`, `inngest.response`, ... events) to `POST /v1/realtime/publish/tee?channel=<run
 * id>`, once per request the server makes to the endpoint; its caller, redirected to
 * `GET /v1/realtime/sse?token=<the run's realtime_token>`, reads those events as they are. Both
 * meet in the RealtimeObject named by the run id, on a topic of its own ({@link RUN_STREAM_TOPIC}):
 * each relayed message is one whole SSE event, so the events of two requests never interleave.
 * @module
 */
import { ENDPOINT_STREAM_MAX_BYTES, ENDPOINT_STREAM_TEE_MAX_MS, REALTIME_MAX_MESSAGE_BYTES } from "../constants";
import type { Subscription } from "./token";
import { utf8Bytes } from "../util/utf8";

/**
 * The topic of a run's stream in the run's channel. Its messages are SSE text, not the JSON
 * messages `subscribe()` reads; only the run's own token names it.
 */
export const RUN_STREAM_TOPIC = "inngest.run-stream";

/** What run `runId`'s stream token grants: its stream, nothing else. */
export function runStreamSubscription(runId: string): Subscription {
  return { channel: runId, topics: [RUN_STREAM_TOPIC] };
}

/** Whether a token's grant is a run's stream (then its SSE carries the stream's events as they are). */
export function isRunStream(subscription: Subscription): boolean {
  return subscription.topics.length === 1 && subscription.topics[0] === RUN_STREAM_TOPIC;
}

/** Whether one relayed SSE event is the run's final response, after which its caller's stream ends. */
export function isResponseEvent(event: string): boolean {
  return event.startsWith("event: inngest.response\n");
}

/**
 * How a relayed request stream ended: all of it relayed, cut at a limit, its body failed, or cut
 * because the run's response had been relayed (a request whose stream the SDK left open).
 */
export type TeeOutcome = { ended: "complete" | "too-large" | "body-failed" | "run-ended" | "timed-out"; bytes: number };

/**
 * Reads one request's stream `body` and hands each whole SSE event to `send`, in order. Stops at
 * ENDPOINT_STREAM_MAX_BYTES, at an event over REALTIME_MAX_MESSAGE_BYTES, after
 * ENDPOINT_STREAM_TEE_MAX_MS, or when `runEnded` aborts; calls `responded` after relaying the
 * run's response. A partial event at the end is not relayed: the client could not parse it.
 */
export async function relayTee(
  body: ReadableStream<Uint8Array>,
  send: (event: string) => void,
  runEnded: AbortSignal,
  responded: () => void,
): Promise<TeeOutcome> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let cut: "run-ended" | "timed-out" | null = null;
  const stop = (why: "run-ended" | "timed-out") => {
    cut ??= why;
    reader.cancel().catch(() => {});
  };
  const onRunEnded = () => stop("run-ended");
  if (runEnded.aborted) onRunEnded();
  runEnded.addEventListener("abort", onRunEnded);
  const timer = setTimeout(() => stop("timed-out"), ENDPOINT_STREAM_TEE_MAX_MS);
  let bytes = 0;
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || cut) break;
      bytes += value.byteLength;
      if (bytes > ENDPOINT_STREAM_MAX_BYTES) {
        await reader.cancel();
        return { ended: "too-large", bytes };
      }
      pending += decoder.decode(value, { stream: true });
      for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
        const event = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        // A whole event that came in one chunk is held to the same limit as one still arriving.
        if (utf8Bytes(event) > REALTIME_MAX_MESSAGE_BYTES) {
          await reader.cancel();
          return { ended: "too-large", bytes };
        }
        send(event);
        if (isResponseEvent(event)) {
          // This request carried the response: it is not one of the stale streams cut below.
          runEnded.removeEventListener("abort", onRunEnded);
          responded();
        }
      }
      // Characters, not bytes, but each is at least one byte: a bound either way.
      if (pending.length > REALTIME_MAX_MESSAGE_BYTES) {
        await reader.cancel();
        return { ended: "too-large", bytes };
      }
    }
    return { ended: cut ?? "complete", bytes };
  } catch {
    return { ended: cut ?? "body-failed", bytes };
  } finally {
    clearTimeout(timer);
    runEnded.removeEventListener("abort", onRunEnded);
  }
}
