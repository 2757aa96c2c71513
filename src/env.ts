import type { EventShardObject } from "../durable-objects/event-shard-object";
import type { FlowObject } from "../durable-objects/flow-object";
import type { RealtimeObject } from "../durable-objects/realtime-object";
import type { RegistryObject } from "../durable-objects/registry-object";
import type { RunObject } from "../durable-objects/run-object";
import type { SchedulerObject } from "../durable-objects/scheduler-object";
import type { WaitShardObject } from "../durable-objects/wait-shard-object";
import type { QueueMessage } from "./ingest/queue-message";
import type { HistoryMessage } from "./runner/history-message";

/** Bindings and variables the Worker and its Durable Objects receive. */
export interface Env {
  DB: D1Database;
  EVENTS: Queue<QueueMessage>;
  /** Run, step and skipped-run history on its way to D1 (src/history/consume-history.ts). */
  HISTORY: Queue<HistoryMessage>;
  RUNS: DurableObjectNamespace<RunObject>;
  SCHEDULER: DurableObjectNamespace<SchedulerObject>;
  FLOWS: DurableObjectNamespace<FlowObject>;
  /** The function registry's version (src/sync/registry.ts). */
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** The event shards: accepted events, their dedupe claims and re-drive (src/ingest/event-shards.ts). */
  EVENT_SHARDS: DurableObjectNamespace<EventShardObject>;
  /** The wait index: runs paused on events, sharded by event name and matched value. */
  WAIT_SHARDS: DurableObjectNamespace<WaitShardObject>;
  /** Realtime channels: one object per channel holds its subscribers (src/realtime/subscribers.ts). */
  REALTIME: DurableObjectNamespace<RealtimeObject>;
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
  /**
   * `true` (dev mode only) counts D1 statements by path and serves the counts at `/_bench/d1`,
   * for `npm run bench` (src/metering/d1-meter.ts). Ignored in production mode.
   */
  STEPFLARE_COUNT_D1?: string;
  /**
   * `true` (dev mode only) times the phases of the hot paths (checkpoint, ingest, event to first
   * step) and serves them at `/_bench/phases`, for `npm run bench` (src/metering/phase-timing.ts).
   */
  STEPFLARE_TIME_PHASES?: string;
  /**
   * A duration such as `7d` (the default): history, event rows and claims older than this are
   * deleted by the heartbeat, and an ended run's object deletes its storage this long after it ended.
   */
  STEPFLARE_RETENTION?: string;
  /**
   * Set by the dev process (scripts/dev), not by hand: `true` when it discovers apps on the usual
   * local ports, `false` with `--no-discovery`. `GET /dev` reports it (src/api/dev-start-opts.ts).
   */
  STEPFLARE_DEV_AUTODISCOVER?: string;
  /** Set by the dev process: a JSON array of the serve URLs given with `-u` at start, for `GET /dev`. */
  STEPFLARE_DEV_SDK_URLS?: string;
}
