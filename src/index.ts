/**
 * stepflare's Worker: the HTTP API, the events Queue consumer and the once-a-minute safety net.
 * @module
 */
import { app } from "./api/app";
import type { Env } from "./env";
import { consumeEvents } from "./runner/consume-events";
import { SCHEDULER_NAME } from "./scheduler/heartbeat";

export { RunObject } from "../durable-objects/run-object";
export { SchedulerObject } from "../durable-objects/scheduler-object";

export default {
  fetch: app.fetch,
  queue: consumeEvents,
  async scheduled(_controller, env) {
    const scheduler = env.SCHEDULER.getByName(SCHEDULER_NAME);
    await scheduler.ensureHeartbeat();
    await scheduler.beat();
  },
} satisfies ExportedHandler<Env, unknown>;
