/**
 * Realtime messages as subscribers receive them: the JSON object Inngest sends over its WebSocket
 * and SSE subscriptions, which the SDK's `subscribe()` parses (`kind`, `channel`, `topic`,
 * `data`, `created_at`, `run_id`). A published body that is JSON is passed on as it is; any other
 * text becomes a JSON string, as Inngest does.
 * @module
 */
import { z } from "zod";
import { REALTIME_MAX_MESSAGE_BYTES, REALTIME_MAX_TOPICS } from "../constants";
import { realtimeName } from "./token";

/** The query of `POST /v1/realtime/publish`, as the SDK's `publish()` sends it. */
export const publishQuery = z.object({
  channel: realtimeName,
  topics: z.array(realtimeName).min(1).max(REALTIME_MAX_TOPICS),
  run_id: z.string().max(64).optional(),
});

/** A validated publish request's addressing. */
export type PublishTarget = z.infer<typeof publishQuery>;

/** Whether `text` is one JSON value. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The message each subscriber of `topic` receives for a published `body`, as text. The body is
 * spliced in as it came when it is JSON, so a large payload is not parsed and written again.
 */
export function wireMessage(target: Pick<PublishTarget, "channel" | "run_id">, topic: string, body: string, nowMs: number): string {
  const data = isJson(body) ? body : JSON.stringify(body);
  const head = JSON.stringify({
    kind: "data",
    channel: target.channel,
    topic,
    created_at: new Date(nowMs).toISOString(),
    ...(target.run_id ? { run_id: target.run_id } : {}),
  });
  return `${head.slice(0, -1)},"data":${data}}`;
}

/** The 413 answer to a body over REALTIME_MAX_MESSAGE_BYTES, given its declared length if any. */
export function tooLargeMessage(declared: string | undefined): string {
  // A declared length is only repeated when it explains the refusal: a sender may declare too little.
  const size = declared && /^\d+$/.test(declared) && Number(declared) > REALTIME_MAX_MESSAGE_BYTES ? declared : `over ${REALTIME_MAX_MESSAGE_BYTES}`;
  return `realtime message is ${size} bytes; the limit is ${REALTIME_MAX_MESSAGE_BYTES} bytes`;
}

/** What a channel's object is asked to deliver: one message text per topic. */
export const publishedMessages = z
  .array(z.object({ topic: realtimeName, message: z.string() }))
  .min(1)
  .max(REALTIME_MAX_TOPICS);

/** One topic's message, as RealtimeObject.publish takes it. */
export type PublishedMessage = z.infer<typeof publishedMessages>[number];
