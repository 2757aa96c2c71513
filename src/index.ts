/**
 * stepflare's Worker: the HTTP API, the events Queue consumer and the once-a-minute safety net.
 * @module
 */
import { app } from "./api/app";
import type { Env } from "./env";
import { consumeEvents } from "./runner/consume-events";
import { SCHEDULER_NAME } from "./scheduler/heartbeat";

export { FlowObject } from "../durable-objects/flow-object";
export { RunObject } from "../durable-objects/run-object";
export { SchedulerObject } from "../durable-objects/scheduler-object";
export { WaitShardObject } from "../durable-objects/wait-shard-object";

export default {
  fetch: app.fetch,
  queue: consumeEvents,
  async scheduled(_controller, env) {
    const scheduler = env.SCHEDULER.getByName(SCHEDULER_NAME);
    // Re-arms a lost alarm and repairs schedules a missed refresh left stale, then beats once.
    await scheduler.refreshSchedules();
    await scheduler.beat();
  },
} satisfies ExportedHandler<Env, unknown>;
