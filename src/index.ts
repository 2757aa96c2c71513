/**
 * stepflare's Worker: the HTTP API, the events and history Queue consumers and the once-a-minute
 * safety net.
 * @module
 */
import { EventShardObject } from "../durable-objects/event-shard-object";
import { FlowObject } from "../durable-objects/flow-object";
import { RealtimeObject } from "../durable-objects/realtime-object";
import { RegistryObject } from "../durable-objects/registry-object";
import { RunObject } from "../durable-objects/run-object";
import { SchedulerObject } from "../durable-objects/scheduler-object";
import { WaitShardObject } from "../durable-objects/wait-shard-object";
import { app } from "./api/app";
import type { Env } from "./env";
import { consumeHistory } from "./history/consume-history";
import { meteredHandlers } from "./metering/handlers";
import { consumeEvents } from "./routing/consume-events";
import { SCHEDULER_NAME } from "./cron/heartbeat";

export { EventShardObject, FlowObject, RealtimeObject, RegistryObject, RunObject, SchedulerObject, WaitShardObject };

/** The history Queue's name (wrangler.toml); every other batch is from the events Queue. */
const HISTORY_QUEUE = "stepflare-history";

export default meteredHandlers(
  {
    fetch: app.fetch,
    queue: (batch: MessageBatch<unknown>, env: Env) => (batch.queue === HISTORY_QUEUE ? consumeHistory(batch, env) : consumeEvents(batch, env)),
    async scheduled(_controller, env) {
      const scheduler = env.SCHEDULER.getByName(SCHEDULER_NAME);
      // Re-arms a lost alarm and repairs schedules a missed refresh left stale, then beats once.
      await scheduler.refreshSchedules();
      await scheduler.beat();
    },
  },
  // Where each object's D1 work is counted when the bench's D1 meter is on.
  [
    [RunObject.prototype, { start: "run_start" }, "step"],
    [FlowObject.prototype, {}, "flow"],
    [SchedulerObject.prototype, {}, "scheduler"],
    [RegistryObject.prototype, {}, "registry"],
    [EventShardObject.prototype, {}, "event_shard"],
    [WaitShardObject.prototype, {}, "wait_shard"],
    [RealtimeObject.prototype, {}, "realtime"],
  ],
) satisfies ExportedHandler<Env, unknown>;
