import { MAX_INLINE_QUEUE_EVENT_BYTES, QUEUE_BATCH_MAX_BYTES, QUEUE_BATCH_MAX_MESSAGES } from "../constants";
import { utf8Bytes } from "../util/utf8";
import { eventShardOf, type ShardPlacement } from "./event-shard-key";
import type { QueueMessage } from "./queue-message";
import type { RoutedEvent } from "./routed-event";

/** The Queue message for an event: inline when it fits, else a reference to it in its shard. */
export function messageFor({ event, target, functions, waitsOnly }: RoutedEvent): { body: QueueMessage; bytes: number } {
  const part = { ...(functions === undefined ? {} : { functions }), ...(waitsOnly ? { waitsOnly } : {}) };
  const inline: QueueMessage = { kind: "event", event, target, ...part };
  const bytes = utf8Bytes(JSON.stringify(inline));
  if (bytes <= MAX_INLINE_QUEUE_EVENT_BYTES) return { body: inline, bytes };
  return referenceMessage({ internalId: event.internalId, id: event.id, target }, part);
}

/** The Queue message that refers to an event by its internal id and the shard holding it. */
export function referenceMessage(
  placement: ShardPlacement,
  part: Pick<QueueMessage & { kind: "event_ref" }, "functions" | "waitsOnly"> = {},
): { body: QueueMessage; bytes: number } {
  const ref: QueueMessage = { kind: "event_ref", internalId: placement.internalId, shard: eventShardOf(placement), ...part };
  return { body: ref, bytes: utf8Bytes(JSON.stringify(ref)) };
}

/** Sends messages in as few `sendBatch` calls as the Queue's per-call limits allow. */
export async function enqueueMessages<T>(queue: Queue<T>, messages: { body: T; bytes: number }[]): Promise<void> {
  let batch: { body: T }[] = [];
  let bytes = 0;
  const sends: Promise<void>[] = [];
  for (const m of messages) {
    if (batch.length === QUEUE_BATCH_MAX_MESSAGES || bytes + m.bytes > QUEUE_BATCH_MAX_BYTES) {
      sends.push(queue.sendBatch(batch).then(() => undefined));
      batch = [];
      bytes = 0;
    }
    batch.push({ body: m.body });
    bytes += m.bytes;
  }
  if (batch.length > 0) sends.push(queue.sendBatch(batch).then(() => undefined));
  await Promise.all(sends);
}
