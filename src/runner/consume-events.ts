import type { Env } from "../env";
import type { RoutedEvent } from "../ingest/routed-event";
import { loadEvents } from "../ingest/event-store";
import { queueMessageSchema } from "../ingest/queue-message";
import { routeEvents } from "./route-events";

/**
 * The events Queue consumer. Throwing makes the Queue redeliver the whole batch, which is safe:
 * routing is idempotent per (event, function).
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const inline: RoutedEvent[] = [];
  const refs: string[] = [];
  for (const message of batch.messages) {
    const parsed = queueMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // Only stepflare writes to this queue; a malformed message cannot be routed by retrying.
      console.error("stepflare: dropping malformed queue message", message.id, parsed.error.message);
      continue;
    }
    if (parsed.data.kind === "event") inline.push({ event: parsed.data.event, target: parsed.data.target });
    else refs.push(parsed.data.internalId);
  }
  const events = inline.concat(await loadEvents(env.DB, refs));
  await routeEvents(env, events, Date.now());
  batch.ackAll();
}
