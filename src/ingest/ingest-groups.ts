/**
 * The ingest route's group commit (see group-commit.ts): concurrent requests in this isolate that
 * store events in the same event shard share one shard call, and so one SQLite commit; their
 * Queue sends share one send. Each request is still answered only once its own events are durable.
 * Only the ingest route groups: server-emitted events (sent from Durable Objects) store alone.
 * @module
 */
import { INGEST_GROUP_MAX_BYTES, INGEST_GROUP_MAX_EVENTS, INGEST_QUEUE_GROUP_MAX_BYTES, INGEST_QUEUE_GROUP_MAX_MESSAGES } from "../constants";
import type { Env } from "../env";
import { recordPhase, timingEnabled } from "../metering/phase-timing";
import { enqueueMessages } from "./enqueue";
import type { ShardItem } from "./event-shard-store";
import { acceptInShard, type ShardAccept } from "./event-shards";
import { GroupCommit } from "./group-commit";
import type { QueueMessage } from "./queue-message";
import { runBehind } from "../util/run-behind";

const shardGroups = new GroupCommit<ShardItem, string[]>({ maxItems: INGEST_GROUP_MAX_EVENTS, maxBytes: INGEST_GROUP_MAX_BYTES });
const queueGroups = new GroupCommit<{ body: QueueMessage; bytes: number }, void>({
  maxItems: INGEST_QUEUE_GROUP_MAX_MESSAGES,
  maxBytes: INGEST_QUEUE_GROUP_MAX_BYTES,
});

/**
 * A {@link ShardAccept} that joins the next call to the shard when one is in flight. Each item
 * carries its own `receivedAt`, since a group holds requests received at different times;
 * `bytesPerEvent` is what each counts towards INGEST_GROUP_MAX_BYTES.
 */
export function groupedAccept(bytesPerEvent: number): ShardAccept {
  return (env, shard, items, receivedAt) =>
    shardGroups.submit(
      `shard:${shard}`,
      items.map((item) => ({ ...item, receivedAt })),
      items.length * bytesPerEvent,
      (all) => {
        countPerCall(env, "ingest.count.events_per_shard_call", all.length);
        return keptAlive(acceptInShard(env, shard, all, receivedAt));
      },
    );
}

/** Sends accepted events' messages to the events Queue, with those of concurrent requests. */
export function enqueueGrouped(env: Env, messages: { body: QueueMessage; bytes: number }[]): Promise<void> {
  if (messages.length === 0) return Promise.resolve();
  const bytes = messages.reduce((sum, m) => sum + m.bytes, 0);
  return queueGroups.submit("events", messages, bytes, (all) => {
    countPerCall(env, "ingest.count.messages_per_queue_send", all.length);
    return keptAlive(enqueueMessages(env.EVENTS, all));
  });
}

/**
 * For the bench's breakdown: how many items a grouped call carried, recorded beside the phases
 * (a count, not milliseconds: the `ingest.count.` names say so).
 */
function countPerCall(env: Env, name: string, items: number): void {
  if (timingEnabled(env)) recordPhase(name, items);
}

/**
 * A group's call is made from its first member's request but answers the others too: it must
 * finish even if that request is cancelled (its client went away), so it extends the invocation.
 */
function keptAlive<T>(call: Promise<T>): Promise<T> {
  runBehind(
    call.then(
      () => undefined,
      () => undefined,
    ),
  );
  return call;
}
