/**
 * stepflare's Worker: the HTTP API, the events and history Queue consumers and the once-a-minute
 * safety net.
 * @module
 */
import { app } from "./api/app";
import type { Env } from "./env";
import { consumeHistory } from "./history/consume-history";
import { consumeEvents } from "./runner/consume-events";
import { SCHEDULER_NAME } from "./scheduler/heartbeat";

export { FlowObject } from "../durable-objects/flow-object";
export { RunObject } from "../durable-objects/run-object";
export { SchedulerObject } from "../durable-objects/scheduler-object";

/** The history Queue's name (wrangler.toml); every other batch is from the events Queue. */
const HISTORY_QUEUE = "stepflare-history";

export default {
  fetch: app.fetch,
  queue: (batch, env) => (batch.queue === HISTORY_QUEUE ? consumeHistory(batch, env) : consumeEvents(batch, env)),
  async scheduled(_controller, env) {
    const scheduler = env.SCHEDULER.getByName(SCHEDULER_NAME);
    // Re-arms a lost alarm and repairs schedules a missed refresh left stale, then beats once.
    await scheduler.refreshSchedules();
    await scheduler.beat();
  },
} satisfies ExportedHandler<Env, unknown>;
