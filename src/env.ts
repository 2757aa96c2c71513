import type { FlowObject } from "../durable-objects/flow-object";
import type { RunObject } from "../durable-objects/run-object";
import type { SchedulerObject } from "../durable-objects/scheduler-object";
import type { QueueMessage } from "./ingest/queue-message";

/** Bindings and variables the Worker and its Durable Objects receive. */
export interface Env {
  DB: D1Database;
  EVENTS: Queue<QueueMessage>;
  RUNS: DurableObjectNamespace<RunObject>;
  SCHEDULER: DurableObjectNamespace<SchedulerObject>;
  FLOWS: DurableObjectNamespace<FlowObject>;
  /** Production mode when set: requests to apps are signed and SDK calls are authenticated. */
  INNGEST_SIGNING_KEY?: string;
  INNGEST_SIGNING_KEY_FALLBACK?: string;
  /** Comma-separated event keys accepted by `POST /e/:key` in production mode. */
  INNGEST_EVENT_KEY?: string;
  /**
   * A duration such as `10s`: a `waitForEvent` may be satisfied by a matching event that arrived
   * this long before the wait registered. Unset (the default) means no lookback, as in Inngest.
   */
  STEPFLARE_WAIT_LOOKBACK?: string;
  /**
   * `true` lets a production server call loopback, private and link-local addresses (app URLs,
   * step URLs, `step.fetch`); see src/net/outbound.ts.
   */
  STEPFLARE_ALLOW_PRIVATE_URLS?: string;
}
