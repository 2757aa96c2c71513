/**
 * Every default and limit stepflare applies, in one place. Values follow Inngest's documented
 * limits (see ../shared/docs/inngest-semantics.md A.0) unless a comment says why they differ.
 * @module
 */

/** Largest accepted event, serialised as JSON (Inngest's OSS default, 512 KiB). */
export const MAX_EVENT_BYTES = 512 * 1024;
/** Most events accepted in one `POST /e/:key` request or one `step.sendEvent`. */
export const MAX_EVENTS_PER_REQUEST = 5_000;
/** Longest event name accepted at ingestion. */
export const MAX_EVENT_NAME_LENGTH = 512;
/** How long a user-given event `id` deduplicates later events with the same id. */
export const EVENT_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Event timestamps must fall in this range (ms since epoch), as Inngest enforces. */
export const MIN_EVENT_TS = Date.UTC(1980, 0, 1);
export const MAX_EVENT_TS = Date.UTC(2100, 0, 1);
/** Prefix reserved for events the server emits itself. */
export const RESERVED_EVENT_PREFIX = "inngest/";

/**
 * Largest event carried inline in a Queue message. Queue messages are limited to 128 KB
 * including metadata; anything larger travels as a reference to its stored row.
 */
export const MAX_INLINE_QUEUE_EVENT_BYTES = 100 * 1000;
/** Queue `sendBatch` limits: 100 messages and 256 KB per call. */
export const QUEUE_BATCH_MAX_MESSAGES = 100;
export const QUEUE_BATCH_MAX_BYTES = 250 * 1000;

/** Default retries after the first attempt (5 attempts in all). */
export const DEFAULT_RETRIES = 4;
/** Most retries a function may configure. */
export const MAX_RETRIES = 20;
/**
 * Inngest's backoff table (`TableBackoff`), indexed by attempt and capped at the last entry,
 * in milliseconds. A random jitter of up to {@link RETRY_JITTER_MS} is added.
 */
export const RETRY_BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 7_200_000] as const;
export const RETRY_JITTER_MS = 30_000;
/** A retry is never scheduled sooner than this nor later than {@link MAX_RETRY_DELAY_MS}. */
export const MIN_RETRY_DELAY_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 24 * 60 * 60 * 1000;

/** Largest step output kept; larger outputs fail the step with a clear error. */
export const MAX_STEP_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Step outputs and errors copied to D1 history are replaced by a note past this many UTF-8 bytes. */
export const HISTORY_MAX_VALUE_BYTES = 500_000;
/** Most steps one run may report, as Inngest's default step limit. */
export const MAX_STEPS_PER_RUN = 1_000;
/** Most triggers one function may declare. */
export const MAX_TRIGGERS_PER_FUNCTION = 10;

/**
 * How long a request to an app may stay unanswered before the RunObject's alarm checks on it.
 * If the object is still alive the call is left running and the check is pushed back; if the
 * object was restarted the call is made again, so a crash mid-step never stalls a run.
 */
export const CALL_LEASE_MS = 10_000;
/** Most requests one RunObject has in flight at once (parallel steps). */
export const MAX_PARALLEL_CALLS = 6;
/**
 * Wall time one alarm invocation spends driving a run before it yields and re-arms,
 * well under the platform's 15-minute limit per alarm invocation.
 */
export const ALARM_WORK_BUDGET_MS = 60_000;

/** When a RunObject's alarm fails unexpectedly, it tries again after this long. */
export const ALARM_ERROR_RETRY_MS = 5_000;

/** Events accepted but not yet routed for this long are re-driven by their event shard. */
export const EVENT_REDRIVE_AFTER_MS = 30_000;
/** How often the scheduler's heartbeat alarm runs. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/** While a run is busy, its history is sent to the history Queue at most this often (and always when it goes idle). */
export const HISTORY_FLUSH_INTERVAL_MS = 250;
/** Most history rows one flush of a run sends; the rest stay due and go with the next flush. */
export const HISTORY_FLUSH_MAX_ROWS = 50;

/** Longest event name or cron expression a function trigger may use (Inngest's limit). */
export const MAX_TRIGGER_LENGTH = 255;
/** Most `cancelOn` rules one function may declare (Inngest's `MaxCancellations`). */
export const MAX_CANCELLATIONS_PER_FUNCTION = 5;
/** Most concurrency constraints one function may declare (Inngest's `MaxConcurrencyLimits`). */
export const MAX_CONCURRENCY_CONSTRAINTS = 2;
/** How long the server waits for an app to answer the `PUT` that asks it to sync. */
export const APP_SYNC_TIMEOUT_MS = 30_000;

/** Longest `step.sleep`/`sleepUntil` accepted; later wake times are clamped (Inngest: 366 days). */
export const MAX_SLEEP_MS = 366 * 24 * 60 * 60 * 1000;
/** Allowed clock difference between a request signature's timestamp and now, either way. */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;
/** How much of a non-JSON error body is kept in the error message. */
export const ERROR_BODY_PREVIEW_CHARS = 500;

/** How long `step.invoke` waits for the child run when no timeout is given (Inngest: 1 year). */
export const INVOKE_DEFAULT_TIMEOUT_MS = 365 * 24 * 60 * 60 * 1000;
/** How long a `cancelOn` listener stays active when the rule sets no timeout. */
export const CANCEL_LISTENER_DEFAULT_MS = 365 * 24 * 60 * 60 * 1000;
/** Most recent events a `waitForEvent` lookback examines (see STEPFLARE_WAIT_LOOKBACK). */
export const WAIT_LOOKBACK_MAX_EVENTS = 500;

/** Largest cron `jitter` honoured (Inngest accepts 1 s .. 5 min); longer values are capped. */
export const MAX_CRON_JITTER_MS = 5 * 60 * 1000;
/** Most cron ticks one scheduler alarm emits; the rest fire on the alarm right after it. */
export const CRON_TICKS_PER_ALARM = 500;
/** Function `idempotency` keys start one run per key in this window (Inngest: 24 h). */
export const IDEMPOTENCY_PERIOD = "24h";
/** Slot leases for a running step; renewed while the call lasts, so a dead run frees its slot. */
export const CONCURRENCY_LEASE_MS = 30_000;
/** A step waiting for a concurrency slot asks again this often, in case a grant notice was lost. */
export const SLOT_RECHECK_MS = 15_000;

/** A batch starts early once its events reach this many bytes (Inngest's 10 MiB batch cap). */
export const BATCH_MAX_BYTES = 10 * 1024 * 1024;
/** `priority.run` results are clamped to ± this many seconds (the range Inngest's docs give). */
export const PRIORITY_MAX_SECONDS = 600;
/** Longest FlowObject name kept verbatim; longer names end in a hash of the whole name. */
export const FLOW_KEY_MAX_LENGTH = 256;

/* REST API and dashboard. */

/** Rows per page when a list request names no `limit` (Inngest's `DefaultEvents`). */
export const DEFAULT_PAGE_SIZE = 20;
/** Most rows one page returns; larger `limit`s are clamped, as Inngest does. */
export const MAX_PAGE_SIZE = 100;

/**
 * Most runs one `POST /v1/cancellations` request cancels. Each cancel is a Durable Object call,
 * and a Worker request may make only so many; the answer says when runs are left, and repeating
 * the request cancels the next ones.
 */
export const BULK_CANCEL_MAX_RUNS = 500;
/** Runs read from history per page while cancelling in bulk. */
export const BULK_CANCEL_PAGE = 100;
/** Cancels in flight at once. */
export const BULK_CANCEL_CONCURRENCY = 10;

/** How long a dashboard login lasts. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/* Internal tuning. */

/**
 * Distinct expressions kept compiled per isolate. A deployment has a bounded set of function
 * configs, so this comfortably holds every key and `if` expression while capping memory.
 */
export const EXPRESSION_CACHE_SIZE = 1_000;

/** UTF-8 bytes of events per INSERT statement: one bound JSON parameter stays well under D1's 2 MB. */
export const EVENT_INSERT_MAX_BYTES = 1_500_000;

/** How long a run waits before retrying a failed flush of its effects or history. */
export const RUN_FLUSH_RETRY_MS = 5_000;

/** RunObjects started at once while routing a batch. */
export const ROUTE_START_CONCURRENCY = 25;

/** Runs resumed at once while delivering a batch. */
export const ROUTE_RESUME_CONCURRENCY = 25;
/**
 * Most waiting runs one queue batch resumes or cancels (one Durable Object call each). An event
 * that satisfies more is delivered to the rest by follow-up messages, so a batch's subrequests
 * stay bounded however many runs wait on one event.
 */
export const WAIT_RESUMES_PER_BATCH = 200;

/* Invocation limits: long steps, work per alarm and per queue batch, subrequests, the sweeper. */

/** Cloudflare's wall-time limit for one Durable Object alarm, queue batch or cron invocation. */
export const PLATFORM_INVOCATION_WALL_MS = 15 * 60 * 1000;
/**
 * Subrequests one invocation may make (fetch, D1 queries, Durable Object calls, Queue sends), as
 * Cloudflare documents them: Workers Free allows 50 to the Internet and 1,000 to Cloudflare
 * services; Workers Paid allows 10,000 by default (raisable with `[limits] subrequests`).
 * stepflare's work per invocation is bounded to fit the Free plan's numbers.
 */
export const FREE_EXTERNAL_SUBREQUESTS = 50;
export const FREE_SERVICE_SUBREQUESTS = 1_000;
/**
 * Longest one request to an app may run. Every call is made from its run's alarm, and an alarm
 * is stopped after PLATFORM_INVOCATION_WALL_MS, so a call must end well before that: past this
 * it is aborted and the attempt fails with `StepDurationExceeded`, retried per the function's
 * retries (Inngest's own limit is 2 h per step). `STEPFLARE_MAX_STEP_DURATION` may lower it.
 */
export const MAX_CALL_DURATION_MS = 12 * 60 * 1000;
/** Time kept for flushing effects and history after the last call of an alarm ends. */
export const ALARM_FLUSH_ALLOWANCE_MS = 60_000;
/** How often a run renews the storage lease of each call in flight (a third of the lease). */
export const CALL_LEASE_RENEW_MS = CALL_LEASE_MS / 3;
/** How often a run renews the concurrency slots of its calls in flight (a third of the lease). */
export const CONCURRENCY_RENEW_MS = CONCURRENCY_LEASE_MS / 3;
/**
 * Most calls one alarm invocation starts; then it re-arms and the next invocation goes on. Each
 * call makes at most two fetches (one fresh retry of a dropped connection), so 20 calls stay
 * under FREE_EXTERNAL_SUBREQUESTS.
 */
export const ALARM_MAX_CALLS = 20;
/**
 * Most (event, function) pairs one queue batch routes; the rest are sent back to the Queue as
 * events for one function each, routed by the next batches. Each pair costs at most a few
 * Durable Object calls, so a batch stays well under FREE_SERVICE_SUBREQUESTS.
 */
export const ROUTE_PAIRS_PER_BATCH = 150;
/**
 * A run whose recorded next wake-up is this far past is presumed to have lost its alarm, and
 * the heartbeat wakes it. Longer than any alarm invocation can run, so a run busy in a long call
 * is never taken for a lost one.
 */
export const SWEEP_OVERDUE_MS = PLATFORM_INVOCATION_WALL_MS;
/** Most overdue runs one heartbeat wakes (one Durable Object call each). */
export const SWEEP_BATCH_LIMIT = 200;

/* Buffered starts (debounce, batch) and stored state read back after a deploy. */

/**
 * A closed debounce window or flushed batch whose run failed to start (D1 busy, a Durable Object
 * call failing) is kept and retried after this long, doubling per failure up to
 * {@link BUFFER_RELEASE_RETRY_MAX_MS}; it is retried until it starts, never dropped.
 */
export const BUFFER_RELEASE_RETRY_MIN_MS = 1_000;
/** Longest pause between two attempts to start a buffered run. */
export const BUFFER_RELEASE_RETRY_MAX_MS = 5 * 60 * 1000;
/** Most buffered runs one FlowObject call or alarm tries to start; the rest follow on the next alarm. */
export const BUFFER_RELEASES_PER_PASS = 20;
/** How much of a stored value that cannot be read (and is set aside) is written to the log. */
export const UNREADABLE_LOG_CHARS = 2_000;

/* Queue consumption and production sizes (issue 14, parts 4 and 5). */

/**
 * Largest D1 or Durable Object row, string or bound value on Cloudflare, in UTF-8 bytes (2 MB).
 * Local workerd allows 4 MiB, so code must hold this itself: everything chunked or capped is
 * measured in bytes against it.
 */
export const MAX_ROW_BYTES = 2_000_000;
/** Bytes of a stored value per row chunk: well under {@link MAX_ROW_BYTES}, leaving room for the key. */
export const STORAGE_CHUNK_BYTES = 1_000_000;
/** A run's total state (events, step results and output) is capped here, as Inngest does (32 MiB). */
export const MAX_RUN_STATE_BYTES = 32 * 1024 * 1024;
/**
 * Largest `result` or `error` carried inside an `inngest/function.finished|failed|cancelled`
 * event. A larger one is left out and the event refers to the run instead, so the system-event
 * row stays under {@link MAX_ROW_BYTES}; `step.invoke` reads such a result from the child run.
 */
export const MAX_SYSTEM_EVENT_VALUE_BYTES = 256 * 1024;
/**
 * Largest ingest request body (`POST /e/:key`, `POST /v0/events`) and other JSON bodies, in bytes.
 * A full batch of small events fits; a larger body is refused with 413 before it is read whole.
 */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/** Most functions one Queue message starts; an event that matches more is split into messages of this many. */
export const ROUTE_FANOUT_PER_MESSAGE = 25;
/**
 * Deliveries of one Queue message before its event is marked `failed` instead of retried. Equal
 * to `max_retries` in wrangler.toml, so the Queue allows one delivery more: if storing the
 * `failed` mark itself fails, the message is tried once more and then dead-lettered.
 */
export const QUEUE_MAX_ATTEMPTS = 10;
/**
 * A message that failed is delivered again after this many seconds times its attempts so far,
 * capped at {@link QUEUE_MAX_RETRY_DELAY_SECONDS}; also `retry_delay` in wrangler.toml.
 */
export const QUEUE_RETRY_DELAY_SECONDS = 5;
/** Longest delay before a failed message is delivered again, in seconds. */
export const QUEUE_MAX_RETRY_DELAY_SECONDS = 300;
/** Longest failure reason stored on a `failed` event, in UTF-8 bytes. */
export const EVENT_FAILURE_REASON_MAX_BYTES = 4_000;
/** Largest `step.fetch` request (URL, headers and body as JSON) kept until it is made; larger fails the step. */
export const MAX_FETCH_REQUEST_BYTES = 1_000_000;

/* Expression limits (issue 8: hostile input). */

/**
 * Longest CEL expression accepted anywhere (trigger, `if`, key, priority, cancellation). Real
 * Inngest expressions are a line or two; longer sources are refused before they are parsed, so
 * they are never compiled or cached.
 */
export const MAX_EXPRESSION_LENGTH = 4_096;
/** Deepest nesting the parser accepts (parentheses, ternaries, member chains). */
export const EXPRESSION_MAX_DEPTH = 64;
/**
 * Work one evaluation may do, in cost units: one per expression node evaluated, plus one per
 * {@link EXPRESSION_COST_UNIT_SIZE} characters or elements of every string or list a node
 * produces. About 10 ms of CPU; an evaluation that runs out fails with reason "limit".
 */
export const EXPRESSION_MAX_COST = 100_000;
/**
 * Largest static cost estimate compilation accepts. The estimate is pessimistic (assumed list
 * sizes, every branch counted), so it is set well above {@link EXPRESSION_MAX_COST}: it refuses
 * only expressions that could not finish on any but tiny data, such as comprehensions nested
 * eight deep over ten-element lists (10^8 iterations) or three deep over event data.
 */
export const EXPRESSION_MAX_ESTIMATED_COST = 1_000_000;
/** Characters (or list elements, or bytes) that cost one unit when a node yields them. */
export const EXPRESSION_COST_UNIT_SIZE = 100;
/**
 * Elements the static cost estimate assumes for a list whose size is unknown until evaluation
 * (event data, function results), so that comprehensions nested three deep over data are
 * refused at sync while two deep are allowed.
 */
export const EXPRESSION_ASSUMED_LIST_SIZE = 100;
/** Longest string (or bytes) an expression may build, e.g. by repeated `+` inside `cel.bind`. */
export const EXPRESSION_MAX_STRING_LENGTH = 1_048_576;
/** Longest list an expression may build, by `+`, `map`, `filter`, `split` or `json_parse`. */
export const EXPRESSION_MAX_LIST_LENGTH = 100_000;
/** Total characters of source the compiled-expression cache holds, next to its entry count. */
export const EXPRESSION_CACHE_MAX_SOURCE_CHARS = 1_000_000;

/* Hostile input: outbound policy, names, sync bodies. */

/** Redirects a policed outbound request follows (fetch's own limit is 20). */
export const MAX_OUTBOUND_REDIRECTS = 20;
/** Longest app id a sync accepts. */
export const MAX_APP_ID_LENGTH = 256;
/** Longest function id a sync accepts; v4 ids are `<app id>-<function id>`, hence twice the app's. */
export const MAX_FUNCTION_ID_LENGTH = 512;
/** Longest function (or step) name a sync accepts. */
export const MAX_FUNCTION_NAME_LENGTH = 512;
/** Largest function config a sync stores, well under the 2 MB a D1 row may hold. */
export const MAX_FUNCTION_CONFIG_BYTES = 256 * 1024;
/** Largest `POST /fn/register` body read; larger ones get a 413 before parsing. */
export const MAX_SYNC_BODY_BYTES = 16 * 1024 * 1024;
/** Latest time a query accepts (the end of year 9999, the last that RFC 3339 can write). */
export const MAX_TIME_PARAM_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/* Hostile input: system events that trigger functions. */

/**
 * Most `inngest/function.finished|failed|cancelled` events in a row that start functions: a run
 * started by an end event emits end events one deeper (`_inngest.depth`), and an end event deeper
 * than this starts no function (the skip is kept, reason `chain_depth`), so functions triggered
 * by each other's end events stop. Waiting runs (`step.invoke`) still receive it.
 */
export const MAX_FUNCTION_EVENT_DEPTH = 5;
/** An error cut this small when an end event is still over MAX_EVENT_BYTES without its events, result and event. */
export const SYSTEM_EVENT_SMALL_ERROR_BYTES = 4 * 1024;

/* Hostile input: JSON depth, body encoding and size, errors retrying cannot fix. */

/**
 * Deepest nesting of objects and arrays accepted in any JSON the server reads (request bodies,
 * SDK answers), counted from the top of the body. SQLite's JSON functions stop at 1000 levels;
 * the server wraps values a few levels deeper in system events and history, so this stays far
 * under that while leaving room for any reasonable document.
 */
export const MAX_JSON_DEPTH = 100;
/**
 * Largest `POST /v1/checkpoint/:runId/async` body read: the steps of one request, each output at
 * most MAX_STEP_OUTPUT_BYTES, which together cannot outgrow the run's state cap anyway.
 */
export const MAX_CHECKPOINT_BODY_BYTES = MAX_RUN_STATE_BYTES;

/* Function registry: the cached, versioned list of synced functions routing uses. */

/** Name of the one RegistryObject that holds the registry's version. */
export const REGISTRY_OBJECT_NAME = "registry";
/**
 * Longest an isolate routes with a cached function list without re-reading D1, even when the
 * registry's version did not move: bounds the effect of a sync whose version bump failed.
 */
export const REGISTRY_MAX_AGE_MS = 60_000;

/* Hostile input: bounded reads of answers, invoke chains, regular expressions (issue 8, remaining items). */

/**
 * Largest answer to a call request read from an app, in bytes: Inngest's own cap
 * (`MaxSDKResponseBodySize`, a step's output of 4 MiB plus a step's input of 4 MiB, so a full
 * output still fits with the envelope and escaping of a streamed answer). Reading stops past
 * it; the attempt fails with `StepOutputTooLarge`, not retried.
 */
export const MAX_SDK_RESPONSE_BYTES = 8 * 1024 * 1024;
/**
 * Largest `step.fetch` response body read. It becomes the step's output, which may not exceed
 * MAX_STEP_OUTPUT_BYTES anyway, so reading further could never help.
 */
export const MAX_FETCH_RESPONSE_BYTES = MAX_STEP_OUTPUT_BYTES;
/** Largest `POST /login` form read: a signing key and a `next` path need far less. */
export const MAX_LOGIN_BODY_BYTES = 16 * 1024;
/**
 * Most `step.invoke` calls nested in one chain (a run invoked by a run invoked by ...). Inngest
 * publishes no number; 100 is far beyond any real call tree, and stops a function that invokes
 * itself (or A invokes B invokes A) without end: the invoke that would go deeper fails its step
 * with `InvokeDepthExceeded` and starts no child.
 */
export const MAX_INVOKE_DEPTH = 100;
/**
 * Longest regular expression `matches()` compiles, literal or taken from data: no longer than an
 * expression may be, so a pattern from event data is held to what a literal one could be.
 */
export const EXPRESSION_MAX_REGEX_LENGTH = MAX_EXPRESSION_LENGTH;
/**
 * Most instructions a `matches()` pattern may compile to in RE2. Compiling takes about a
 * microsecond per instruction and matching about a nanosecond per instruction and character,
 * so this keeps one compile near 5 ms; `[a-z]{1000}` is 1,000.
 */
export const EXPRESSION_MAX_REGEX_PROGRAM = 5_000;
/**
 * RE2 steps (program instructions × text characters) one cost unit pays for: about 0.1 µs,
 * as one unit is elsewhere, measured with re2js on Node 20.
 */
export const EXPRESSION_REGEX_STEPS_PER_UNIT = 100;

/* History behind the hot path (the HISTORY Queue) and retention. */

/**
 * Largest history Queue message the server makes (UTF-8 bytes of its JSON body): under the
 * 128 KB a Queue message may carry, with room for the Queue's own envelope.
 */
export const HISTORY_MESSAGE_MAX_BYTES = 100 * 1000;
/** Most history rows in one Queue message, so a consumer batch's row-by-row fallback stays bounded. */
export const HISTORY_MESSAGE_MAX_ROWS = 20;
/**
 * Largest value (a step's or run's output or error, as JSON) carried inline in a history message;
 * a larger one (up to HISTORY_MAX_VALUE_BYTES) is sent by reference and the consumer reads it
 * from the run's object. Two inline values of this size always fit one message.
 */
export const HISTORY_INLINE_VALUE_BYTES = 16 * 1000;
/**
 * Most values sent by reference in one message: each is read from the run's object by the
 * consumer (one RPC per message) and held in memory until the batch is written, so a batch of
 * HISTORY_CONSUMER_BATCH_SIZE messages holds at most this many times 2 × HISTORY_MAX_VALUE_BYTES each.
 */
export const HISTORY_REFS_PER_MESSAGE = 2;
/**
 * Messages the history consumer writes in one D1 batch; a delivered batch (up to
 * HISTORY_QUEUE_BATCH_SIZE) is written in slices of this size.
 */
export const HISTORY_CONSUMER_BATCH_SIZE = 25;
/**
 * Largest JSON array of rows bound to one D1 statement by the history consumer, under the 2 MB
 * a D1 string may hold.
 */
export const HISTORY_STATEMENT_MAX_BYTES = 1_000_000;
/**
 * How long a run's object waits for the consumer to confirm history it sent before sending it
 * again. Local Queues live in memory: a dev server killed with messages unconsumed loses them,
 * and the object's alarm sends the rows again this long after.
 */
export const HISTORY_RESEND_AFTER_MS = 10_000;
/** How long history, event rows, claims and ended runs' objects are kept by default (STEPFLARE_RETENTION). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Rows one retention statement deletes from one table (each table is deleted from in its own statement). */
export const RETENTION_ROWS_PER_STATEMENT = 1000;
/**
 * Rounds of deletion (one D1 batch each, a statement per table) per heartbeat: with
 * RETENTION_ROWS_PER_STATEMENT that bounds the rows and the D1 calls of one invocation.
 */
export const RETENTION_ROUNDS_PER_BEAT = 20;
/** Wall time one heartbeat spends deleting old rows before it leaves the rest to the next beat. */
export const RETENTION_BUDGET_MS = 20_000;

/* Event shards: accepted events durable in Durable Objects, history written behind (issue 9, part 1). */

/**
 * Event shard objects (`EventShardObject`). An ingest request makes one call per shard its
 * events fall in, so the count bounds that fan-out: 16 calls stay far under a Free-plan
 * invocation's 50 external / 1,000 service subrequests next to its Queue sends. A Durable Object
 * serves on the order of 1,000 small calls/s, so 16 shards take about 16,000 single-event
 * requests/s (and many times that in events when requests carry several), past the 10,000
 * events/s target, while each shard still sees enough events that its history writes to D1 are
 * real batches. Changing it moves user ids to other shards (dedupe would restart) and strands
 * confirmations of events in flight: change it only on an empty Queue.
 */
export const EVENT_SHARD_COUNT = 16;
/**
 * A shard writes the events it accepted or changed to D1 history this long after the first of
 * them, in one batch: `GET /v1/events/:id` and the dashboard see an event within about this.
 */
export const EVENT_HISTORY_WRITE_DELAY_MS = 250;
/** Most event rows one shard alarm writes to D1 history; more are written by the next alarm, right after. */
export const EVENT_HISTORY_ROWS_PER_ALARM = 1_000;
/** UTF-8 bytes of event rows one shard alarm writes to D1 (a few statements of EVENT_INSERT_MAX_BYTES). */
export const EVENT_HISTORY_BYTES_PER_ALARM = 6_000_000;
/** Most unconfirmed events one shard alarm re-drives (each read back whole when it fits a message). */
export const EVENT_REDRIVES_PER_ALARM = 100;
/** A re-driven event not confirmed again waits twice as long each time, up to this. */
export const EVENT_REDRIVE_MAX_MS = 10 * 60 * 1000;
/**
 * A shard keeps an event this long after routing settled it and its history row was written, so
 * a late fan-out part or buffered start still finds it there; after that it is read from D1.
 */
export const EVENT_SHARD_KEEP_MS = 5 * 60 * 1000;
/** Most expired dedupe claims, and most settled events, one shard alarm deletes. */
export const EVENT_SHARD_DELETES_PER_ALARM = 1_000;
/** Most events the consumer reads back from a shard per call: 32 of the largest events stay well under an RPC's 32 MiB. */
export const EVENT_SHARD_LOADS_PER_CALL = 32;
/**
 * Most event ids one shard read names. A buffered start reads its events (at most BATCH_MAX_BYTES
 * in all) this many at a time; the consumer reads fewer (EVENT_SHARD_LOADS_PER_CALL).
 */
export const EVENT_SHARD_IDS_PER_LOAD = 1_000;
/** UTF-8 bytes of recent events one shard answers a lookback with (at least one event): 16 shards stay near 16 MB. */
export const EVENT_SHARD_RECENT_BYTES = 1_000_000;

/* Waits: the wait index in WaitShardObjects (src/waits/). */

/**
 * Most match paths (`data.orderId`, `data.correlation_id`, ...) one event name's registry lists.
 * Every incoming event of that name is looked up once per listed path, so this bounds the work
 * per event. A wait registered while its name's registry is full is kept, unindexed, in the name
 * shard and found by evaluating its expression (documented in README, "Waits").
 */
export const WAIT_MATCH_PATHS_PER_NAME = 8;
/**
 * Most wait shards one queue batch looks up (one Durable Object call each: the name shard of
 * each event name, and one equality shard per path and value an event carries). Events whose
 * lookups do not fit are delivered to waits by a follow-up message. An event alone always fits
 * (1 + WAIT_MATCH_PATHS_PER_NAME), so delivery always makes progress. Delivery then costs at
 * most this many lookups, as many removals, and two calls per resumed run (the resume, and an
 * invoke's result read from the child): 2 × 50 + 2 × WAIT_RESUMES_PER_BATCH = 500, which leaves
 * the routing of ROUTE_PAIRS_PER_BATCH pairs room under FREE_SERVICE_SUBREQUESTS.
 */
export const WAIT_SHARD_LOOKUPS_PER_BATCH = 50;
/** Wait shards looked up at once while delivering a batch. */
export const WAIT_SHARD_LOOKUP_CONCURRENCY = 25;
/**
 * A match path stays listed in its name's registry at least this long after a registration
 * listed it. Until then, registering more waits with that path skips asking the name shard (the
 * worker remembers the listing), so runs registering waits on one name do not all queue on one
 * object. The cost: a path no wait uses any more is looked up for up to this long.
 */
export const WAIT_PATH_LISTING_MS = 60 * 60 * 1000;
/** Listings (event name, match path) a worker remembers; the oldest is forgotten first. */
export const WAIT_PATH_CACHE_SIZE = 1_000;
/** Expired waits one shard alarm deletes; the alarm re-arms at once for the rest. */
export const WAIT_EXPIRE_BATCH = 1_000;

// --- SDK ops: step.ai.infer and unsupported features (issue 11) ---
/**
 * Shortest key or header value of a `step.ai.infer` request that is redacted from the provider's
 * stored answer and errors; shorter values are too common as ordinary text to cut out.
 */
export const AI_KEY_REDACT_MIN_CHARS = 8;

// Signals (step.waitForSignal, inngest.sendSignal, POST /v1/signals).
/** Longest signal name accepted, in characters: a wait or a send naming a longer one is refused. */
export const MAX_SIGNAL_NAME_LENGTH = 1024;
/** Largest signal `data` accepted (JSON bytes): it becomes the waiting step's result, so it is bounded like an event. */
export const MAX_SIGNAL_DATA_BYTES = 512 * 1024;

// --- Realtime (step.realtime.publish, subscription tokens, WebSocket and SSE subscribers; issue 11) ---
/** Largest realtime message accepted by `POST /v1/realtime/publish`, in bytes of its body: Inngest's limit. */
export const REALTIME_MAX_MESSAGE_BYTES = 512 * 1024;
/**
 * How long a subscription token may be used to connect, as in Inngest: it authorises opening a
 * subscription, not its lifetime, so a connection opened with it stays open after it expires.
 */
export const REALTIME_TOKEN_TTL_MS = 60 * 1000;
/**
 * Most topics one token (so one subscription) covers. Each topic is a tag of the subscriber's
 * hibernatable WebSocket, and Cloudflare allows at most 10 tags per WebSocket.
 */
export const REALTIME_MAX_TOPICS = 10;
/** Longest channel or topic name, in characters: a WebSocket tag holds at most 256. */
export const REALTIME_MAX_NAME_CHARS = 256;
/**
 * Key for dev-mode subscription tokens. Like Inngest's dev server, a dev server hands tokens to
 * any caller, so this key guards nothing and is public; production mode signs with a key derived
 * from the signing key instead.
 */
export const REALTIME_DEV_TOKEN_KEY = "stepflare-dev-realtime-tokens";
/** An SSE subscription is closed after this long, as Inngest's is; the client reconnects with a new token. */
export const REALTIME_SSE_MAX_DURATION_MS = 15 * 60 * 1000;
/** An SSE subscription gets a comment line this often, so proxies do not close it as idle (Inngest's interval). */
export const REALTIME_SSE_KEEPALIVE_MS = 30 * 1000;
/** A streamed publish (`Content-Type: text/stream`) reaches subscribers in chunks of at most this many bytes (Inngest's size). */
export const REALTIME_STREAM_CHUNK_BYTES = 1024;
/** Most bytes of one streamed publish (Inngest's 1,000 chunks of 1 KB); the stream is ended there and the publisher gets a 413. */
export const REALTIME_MAX_STREAM_BYTES = 1000 * 1024;

// --- Durable endpoints (inngest.endpoint, POST /v1/checkpoint, /v1/http/runs/:id/output; issue 11) ---
/**
 * How long a durable endpoint's own HTTP request may go without checkpointing before the server
 * presumes it lost (the app process died mid-request) and resumes the run by calling the
 * endpoint. Each checkpoint starts this over; it matches the longest call the server itself makes.
 */
export const ENDPOINT_SYNC_LEASE_MS = MAX_CALL_DURATION_MS;
/** Longest `GET /v1/http/runs/:id/output` waits for the run to end before answering that it still runs. */
export const ENDPOINT_OUTPUT_WAIT_MS = 60_000;
/** First pause between looks at a run whose output is awaited; doubled up to the maximum below. */
export const ENDPOINT_OUTPUT_POLL_MIN_MS = 100;
/** Longest pause between looks at a run whose output is awaited (bounds the subrequests a wait makes). */
export const ENDPOINT_OUTPUT_POLL_MAX_MS = 1_000;
/** Longest endpoint URL (domain, path and query) a durable endpoint run keeps to call back. */
export const MAX_ENDPOINT_URL_LENGTH = 8 * 1024;
/** Largest original request body a durable endpoint run keeps to send again when the server resumes it. */
export const MAX_ENDPOINT_BODY_BYTES = 256 * 1024;

// --- Tools that talk to a dev server: REST API v2, GraphQL, MCP (issue 12) ---
/** Default page size of the REST API v2 lists, as Inngest's. */
export const V2_PAGE_DEFAULT = 20;
/** Largest page of `GET /api/v2/runs` (Inngest's limit); a larger `limit` is refused. */
export const V2_RUNS_MAX = 100;
/** Largest page of `GET /api/v2/events/:id/runs` (Inngest's limit). */
export const V2_EVENT_RUNS_MAX = 40;
/** Largest page of `GET /api/v2/apps` (Inngest's limit). */
export const V2_APPS_MAX = 100;
/** Largest page of `GET /api/v2/apps/:id/functions` (Inngest's limit). */
export const V2_FUNCTIONS_MAX = 100;
/** Deepest selection a `/v0/gql` query may nest (introspection queries need about 13). */
export const GQL_MAX_DEPTH = 15;
/** Most fields and fragment spreads a `/v0/gql` query may select, counting a fragment's selections at each spread. */
export const GQL_MAX_FIELDS = 300;
/** Most tokens a `/v0/gql` query may have; the parser stops at this many. */
export const GQL_MAX_TOKENS = 5_000;
/** Most items `stream` and `events` answer; larger `limit`s are clamped, as the SDK's tests ask for 999. */
export const GQL_MAX_LIST_ITEMS = 200;
/** How long the MCP `send_event` tool waits for the runs an event starts before answering. */
export const MCP_SEND_EVENT_WAIT_MS = 1_500;
/** How often `send_event` looks for the runs its event started while it waits. */
export const MCP_SEND_EVENT_POLL_MS = 250;

// --- Speed (issue 10): the bench's phase timing ---
/** Samples of one phase kept in memory while phase timing is on (the oldest half goes first). */
export const PHASE_SAMPLES_KEPT = 20_000;

// --- Run view and metrics (dashboard) ---

/**
 * Failed attempts whose errors a step's history keeps (the newest ones); the step's `attempts`
 * still counts every attempt, so a reader sees when older errors were let go.
 */
export const HISTORY_ATTEMPT_ERRORS_PER_STEP = 10;
/**
 * Bytes of JSON one kept attempt error may take; a larger one keeps its name and the start of its
 * message, without the stack. With HISTORY_ATTEMPT_ERRORS_PER_STEP this keeps a step's list of
 * attempt errors under HISTORY_INLINE_VALUE_BYTES, so it always travels inline.
 */
export const HISTORY_ATTEMPT_ERROR_BYTES = 1_200;
/** Hours of history a metrics page shows unless asked for another window. */
export const METRICS_DEFAULT_WINDOW_HOURS = 24;
/** The longest window a metrics page may ask for (a week): its queries scan that much history. */
export const METRICS_MAX_WINDOW_HOURS = 7 * 24;
/** Points per chart: the window is cut into this many equal buckets. */
export const METRICS_BUCKETS = 48;
/** Runs an event's page lists per effect (resumed, cancelled); the counts cover them all. */
export const EVENT_EFFECTS_LISTED = 100;

// --- Load (issue 9, measured): sending again while a Queue is behind ---
/**
 * An event shard does not re-drive a pending event, and a run does not send unconfirmed history
 * again, while the Queue concerned still holds a message sent no later than this after the
 * event or the rows were (last) sent: the Queue has not reached them yet, so they are late, not
 * lost, and a second copy would only lengthen the backlog. The margin covers the time between
 * noting a send and the message reaching the Queue, and clock differences between the two.
 */
export const QUEUE_BEHIND_SKEW_MS = 5_000;
/**
 * Longest a sender waits before looking again at whether a Queue that is behind has reached what
 * it sent (it waits about the Queue's lag, at least the usual re-send interval).
 */
export const QUEUE_BEHIND_MAX_WAIT_MS = 10 * 60 * 1000;

// --- Ingest group commit (issue 10, item 3) ---
/**
 * Most events one grouped call to an event shard carries: single-event requests that arrive in
 * one isolate while a call to their shard is in flight are stored together in the next call.
 */
export const INGEST_GROUP_MAX_EVENTS = 1_000;
/** Most bytes of events (as sent) in one grouped event shard call; an RPC argument may be 32 MiB. */
export const INGEST_GROUP_MAX_BYTES = 8 * 1024 * 1024;
/** Most messages one grouped Queue send of accepted events carries (sent as several `sendBatch` calls at once). */
export const INGEST_QUEUE_GROUP_MAX_MESSAGES = 1_000;
/** Most bytes of messages in one grouped Queue send of accepted events. */
export const INGEST_QUEUE_GROUP_MAX_BYTES = 10 * QUEUE_BATCH_MAX_BYTES;
/**
 * Under load an event shard writes D1 history at most once per this long (each write is an alarm,
 * a D1 batch and a commit, whatever it carries); after a quiet spell the first write still comes
 * EVENT_HISTORY_WRITE_DELAY_MS after the event, so history is never more than about this behind.
 */
export const EVENT_HISTORY_MIN_INTERVAL_MS = 1_000;

// --- Checkpoint and step path (issue 10, item 2) ---
/**
 * History rows one statement marks dirty at most (three bound values each): a transaction that
 * changes more rows (a wide parallel group) writes them in several statements, staying far under
 * any bound-parameter limit.
 */
export const HISTORY_DIRTY_ROWS_PER_STATEMENT = 30;

// --- Load (issue 9, measured): call leases of long calls ---
/**
 * Longest lease a call in flight is renewed for (src/runner/call-leases.ts): a call that has run
 * for a while is leased for as long as it has run, up to this, so that long calls do not write
 * storage every few seconds. After a crash a call is made again once its lease ends: within this.
 */
export const CALL_LEASE_MAX_MS = 60_000;

// --- Load (issue 9, measured): the history consumer keeping up ---
/**
 * Messages the history Queue delivers to one consumer invocation: `max_batch_size` of the history
 * consumer in wrangler.toml. Written in slices of HISTORY_CONSUMER_BATCH_SIZE, whose confirmations
 * overlap the next slice's write, so a larger delivery costs fewer round trips per message.
 */
export const HISTORY_QUEUE_BATCH_SIZE = 100;

// --- Event → first step (issue 10): event names with waits (src/waits/waited-names.ts) ---
/**
 * How long past the latest pause expiry it was asked for the registry lists an event name as
 * waited on: a name shard whose next pauses expire within this margin needs no further call.
 */
export const WAITED_NAME_LISTING_SLACK_MS = 60 * 60 * 1000;
/**
 * A registry that predates the listing of waited names trusts it only after this long: the
 * longest a pause can live (wait times are clamped to MAX_SLEEP_MS), and a day for Workers of the
 * older build still registering pauses during the deploy. Until then every event is looked up.
 */
export const WAITED_NAMES_UPGRADE_TRUST_MS = MAX_SLEEP_MS + 24 * 60 * 60 * 1000;

// --- Checkpoint and step path (issue 10): per-key auth work ---
/**
 * Signing keys whose derived values (the bearer hash, the HMAC key) one isolate keeps
 * (src/protocol/key-cache.ts). A deployment has two at most (primary and fallback); the cap only
 * bounds the map.
 */
export const SIGNING_KEY_CACHE_ENTRIES = 8;

// --- Dev server tools (issue 12): Inngest's older MCP tools (src/api/mcp-compat-tools.ts) ---
/** How long `poll_run_status` and `invoke_function_sync` wait when no `timeout` is given (Inngest's 30 s). */
export const MCP_RUN_WAIT_DEFAULT_S = 30;
/** The longest `timeout` those tools accept; a larger one is refused, so no call holds a request open for long. */
export const MCP_RUN_WAIT_MAX_S = 120;
/** How often `poll_run_status` reads its runs when it is given no `pollInterval` (Inngest's default). */
export const MCP_RUN_POLL_DEFAULT_MS = 1_000;
/** The shortest `pollInterval` `poll_run_status` accepts: each poll reads every run from history. */
export const MCP_RUN_POLL_MIN_MS = 100;
/** The most runs one `poll_run_status` call follows. */
export const MCP_POLL_MAX_RUNS = 50;
/** First pause between `invoke_function_sync`'s looks at its run: it answers as soon as the run ends. */
export const MCP_INVOKE_SYNC_POLL_MS = 250;

// --- Streaming durable endpoints (stream.push after a hand-over; issue 11) ---
/**
 * How long a durable endpoint run's stream token (the `realtime_token` of `POST /v1/checkpoint`)
 * may be used to open `GET /v1/realtime/sse`: the caller follows the redirect at the latest when
 * the endpoint's own request ends, which may last as long as that request's lease.
 */
export const ENDPOINT_STREAM_TOKEN_TTL_MS = ENDPOINT_SYNC_LEASE_MS + 60 * 1000;
/** Most bytes one streamed request of a durable endpoint (`POST /v1/realtime/publish/tee`) relays; past it, it is cut with a 413. */
export const ENDPOINT_STREAM_MAX_BYTES = 16 * 1024 * 1024;
/** Longest a `POST /v1/realtime/publish/tee` is relayed: the SDK leaves a request's stream open when the request ends at a step. */
export const ENDPOINT_STREAM_TEE_MAX_MS = REALTIME_SSE_MAX_DURATION_MS;
/**
 * First pause between a run's SSE stream's looks at the run's stored result, doubled up to the
 * maximum below: a run that ended without the app streaming its response (cancelled, or the
 * caller joined late) still answers its caller. A result is sent from storage only once it has
 * been seen at two looks in a row (or at the first, made as the caller connects), so the app's
 * own streamed response, which the SDK sends before the result is stored, comes first.
 */
export const ENDPOINT_STREAM_RESULT_POLL_MIN_MS = 1_000;
/** Longest pause between those looks: about 60 Durable Object calls over a stream's 15 minutes. */
export const ENDPOINT_STREAM_RESULT_POLL_MAX_MS = 15_000;

/* Hostile input: bulk cancellation's work per request (issue 8). */

/**
 * Most active runs one `POST /v1/cancellations` request reads and evaluates its `if` on (each
 * evaluation is itself bounded by EXPRESSION_MAX_COST). A request that stops here answers
 * `complete: false` with a `cursor`; sending it again with that cursor goes on from there, so a
 * function with many runs the `if` does not match is still reached to the end.
 */
export const BULK_CANCEL_MAX_EXAMINED = 2_000;

// --- Dev server tools: the older MCP tools' waits within the subrequest budget (src/api/mcp-run-wait.ts) ---
/**
 * Longest pause between a wait's looks at its runs: the pause starts at the tool's interval
 * (`pollInterval`, MCP_INVOKE_SYNC_POLL_MS) and doubles up to this, or stays at a longer interval.
 */
export const MCP_RUN_POLL_MAX_MS = 1_000;
/** D1 reads of a wait's answer per run: the v2 run (one query) and its trace with outputs (two). */
export const MCP_RUN_ANSWER_READS_PER_RUN = 3;
/**
 * Most looks one `poll_run_status` or `invoke_function_sync` call makes at its runs (one D1 query
 * for all of them each). With the answer's reads for the most runs a call follows, a call stays
 * within half of FREE_SERVICE_SUBREQUESTS, leaving the rest to invoking; at this many looks the
 * wait ends as at its timeout. The backed-off pauses keep a 120 s wait at about 125 looks.
 */
export const MCP_RUN_POLLS_MAX = FREE_SERVICE_SUBREQUESTS / 2 - MCP_RUN_ANSWER_READS_PER_RUN * MCP_POLL_MAX_RUNS;

/* Streaming durable endpoints: open tees per run (review of issue 11). */

/**
 * Most `POST /v1/realtime/publish/tee` requests one run's realtime object relays at once. The SDK
 * leaves the tee of every request that pushed to the stream open until the run's response is
 * relayed (or ENDPOINT_STREAM_TEE_MAX_MS), so a run with many quick pushing steps would otherwise
 * hold one open Worker request and one object call per step. Past it a tee is refused with a 429:
 * that request's events do not reach the caller, who still gets the run's response.
 */
export const ENDPOINT_STREAM_MAX_OPEN_TEES = 64;
