import type { FlowObject } from "../durable-objects/flow-object";
import type { RunObject } from "../durable-objects/run-object";
import type { SchedulerObject } from "../durable-objects/scheduler-object";
import type { WaitShardObject } from "../durable-objects/wait-shard-object";
import type { QueueMessage } from "./ingest/queue-message";

/** Bindings and variables the Worker and its Durable Objects receive. */
export interface Env {
  DB: D1Database;
  EVENTS: Queue<QueueMessage>;
  RUNS: DurableObjectNamespace<RunObject>;
  SCHEDULER: DurableObjectNamespace<SchedulerObject>;
  FLOWS: DurableObjectNamespace<FlowObject>;
  /** The wait index: runs paused on events, sharded by event name and matched value. */
  WAIT_SHARDS: DurableObjectNamespace<WaitShardObject>;
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
   * A duration such as `5m`: requests to apps (one step each) running longer are stopped and
   * the attempt fails with `StepDurationExceeded`. Lowers the default of 12 minutes; never raises it.
   */
  STEPFLARE_MAX_STEP_DURATION?: string;
  /**
   * Apps that are Workers, reached through a Service Binding instead of their URL: comma-separated
   * `<URL prefix>=<BINDING>` pairs (see `src/sync/app-bindings.ts`). Each binding is a
   * `[[services]]` entry of this Worker.
   */
  STEPFLARE_APP_BINDINGS?: string;
  /**
   * `true` lets a production server call loopback, private and link-local addresses (app URLs,
   * step URLs, `step.fetch`); see src/net/outbound.ts.
   */
  STEPFLARE_ALLOW_PRIVATE_URLS?: string;
}
