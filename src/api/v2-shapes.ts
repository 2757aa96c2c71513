/**
 * Runs, traces, apps and functions in the shapes of Inngest's REST API v2 (`proto/api/v2/
 * service.proto`, served as JSON by grpc-gateway): camelCase fields, enum values without their
 * prefix (`COMPLETED`), RFC 3339 times, 64-bit integers as strings. Like protojson, fields that
 * are unset, false or empty are left out; the `data` list of a page is always present.
 * @module
 */
import { DEFAULT_RETRIES } from "../constants";
import type { ListedRun } from "../history/runs";
import { INNGEST_RUN_STATUS, type TraceSpan, type SpanOutput } from "../history/trace";
import type { AppRecord, StoredFunction } from "../sync/store";
import { isCronTrigger } from "../sync/function-config";

const iso = (ms: number) => new Date(ms).toISOString();

/** Drops the keys whose value is undefined, as protojson leaves unset fields out. */
function present<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `true`, or undefined so that {@link present} leaves a false flag out. */
const flag = (value: boolean) => (value ? true : undefined);

/** The function's id as the SDK user wrote it: its slug without the `<app id>-` prefix. */
export function publicFunctionId(appId: string, slug: string): string {
  return slug.startsWith(`${appId}-`) ? slug.slice(appId.length + 1) : slug;
}

/** A JSON value as a protobuf `Struct`: objects as they are, anything else under `data`. */
export function asStruct(json: string | null): Record<string, unknown> | undefined {
  if (json === null) return undefined;
  const value = JSON.parse(json) as unknown;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { data: value };
}

/** Statuses a v2 client filters by, and the stored status each means. */
export const V2_RUN_STATUSES = { QUEUED: "queued", RUNNING: "running", COMPLETED: "completed", FAILED: "failed", CANCELLED: "cancelled" } as const;

/** A run (`FunctionRun`); `output` only when asked for, as Inngest sends it only then. */
export function toV2Run(run: ListedRun, includeOutput: boolean) {
  const startedAt = run.started_at ?? run.queued_at;
  const durationMs = run.ended_at === null ? undefined : String(Math.max(0, run.ended_at - startedAt));
  return present({
    id: run.id,
    function: { id: publicFunctionId(run.app_id, run.function_id), name: run.function_name ?? run.function_id },
    app: { id: run.app_id },
    status: INNGEST_RUN_STATUS[run.status],
    queuedAt: iso(run.queued_at),
    startedAt: run.started_at === null ? undefined : iso(run.started_at),
    endedAt: run.ended_at === null ? undefined : iso(run.ended_at),
    durationMs,
    trigger: present({ eventIds: [run.event_id], eventName: run.event_name ?? undefined }),
    output: includeOutput ? asStruct(run.output ?? run.error) : undefined,
  });
}

/** A span (`TraceSpan`) and its children; `input` and `output` only when asked for. */
export function toV2Span(span: TraceSpan, outputs: Map<string, SpanOutput> | null): Record<string, unknown> {
  const output = span.outputId === null ? undefined : outputs?.get(span.outputId);
  return present({
    id: span.spanId,
    name: span.name,
    status: span.status === "QUEUED" ? "WAITING" : span.status,
    stepOp: span.stepOp ?? undefined,
    stepId: span.stepId ?? undefined,
    durationMs: span.durationMs === null ? undefined : String(span.durationMs),
    queuedAt: iso(span.queuedAt),
    startedAt: span.startedAt === null ? undefined : iso(span.startedAt),
    endedAt: span.endedAt === null ? undefined : iso(span.endedAt),
    output: output ? asStruct(output.error ? JSON.stringify(output.error) : output.data) : undefined,
    children: span.children.length > 0 ? span.children.map((c) => toV2Span(c, outputs)) : undefined,
  });
}

/** `js:v4.24.0` as Inngest's language and version fields. */
export function sdkParts(sdk: string | null): { sdkLanguage?: string; sdkVersion?: string } {
  if (!sdk) return {};
  const [language, version] = sdk.split(":", 2);
  return present({ sdkLanguage: language || undefined, sdkVersion: version?.replace(/^v/, "") || undefined });
}

/** An app (`App`) with its latest sync. */
export function toV2App(app: AppRecord, functionCount: number) {
  return present({
    id: app.id,
    name: app.id,
    method: "SERVE",
    appVersion: app.appVersion ?? undefined,
    createdAt: iso(app.createdAt),
    functionCount,
    latestSync: present({
      status: app.syncError === null ? "success" : "error",
      syncedAt: iso(app.syncedAt),
      ...sdkParts(app.sdk),
      framework: app.framework ?? undefined,
      url: app.url,
      error: app.syncError ?? undefined,
      appVersion: app.appVersion ?? undefined,
    }),
  });
}

const CONCURRENCY_SCOPE = { fn: "FUNCTION", env: "ENVIRONMENT", account: "ACCOUNT" } as const;

/** A function's flow-control settings (`FunctionConfiguration`). */
function configuration(fn: StoredFunction) {
  const cfg = fn.config;
  const attempts = Object.values(cfg.steps)[0]?.retries?.attempts;
  const concurrency = cfg.concurrency === undefined ? [] : typeof cfg.concurrency === "number" ? [{ limit: cfg.concurrency }] : [cfg.concurrency].flat();
  return present({
    cancellations: cfg.cancel?.map((c) => present({ event: c.event, timeout: c.timeout, condition: c.if })),
    retries: attempts === undefined ? { value: DEFAULT_RETRIES, isDefault: true } : { value: attempts },
    priority: cfg.priority?.run,
    eventsBatch: cfg.batchEvents && present({ maxSize: cfg.batchEvents.maxSize, timeout: cfg.batchEvents.timeout, key: cfg.batchEvents.key }),
    concurrency:
      concurrency.length === 0
        ? undefined
        : concurrency.map((c) =>
            present({ scope: CONCURRENCY_SCOPE[("scope" in c && c.scope) || "fn"], limit: { value: c.limit }, key: "key" in c ? c.key : undefined }),
          ),
    rateLimit: cfg.rateLimit && present({ limit: cfg.rateLimit.limit, period: cfg.rateLimit.period, key: cfg.rateLimit.key }),
    debounce: cfg.debounce && present({ period: cfg.debounce.period, key: cfg.debounce.key }),
    throttle: cfg.throttle && present({ burst: cfg.throttle.burst ?? 1, key: cfg.throttle.key, limit: cfg.throttle.limit, period: cfg.throttle.period }),
    singleton: cfg.singleton && present({ mode: cfg.singleton.mode === "cancel" ? "CANCEL" : "SKIP", key: cfg.singleton.key }),
  });
}

/** A function (`Function`): its public id, triggers and configuration. */
export function toV2Function(fn: StoredFunction) {
  const id = publicFunctionId(fn.appId, fn.id);
  return {
    id,
    name: fn.config.name ?? id,
    slug: id,
    app: { id: fn.appId },
    triggers: fn.config.triggers.map((t) =>
      isCronTrigger(t) ? { type: "CRON", value: t.cron } : present({ type: "EVENT", value: t.event, if: t.expression || undefined }),
    ),
    configuration: configuration(fn),
  };
}

/** The `page` of a list answer: the cursor to pass back while there are more. */
export function v2Page(limit: number, nextCursor: string | null) {
  return present({ cursor: nextCursor ?? undefined, hasMore: flag(nextCursor !== null), limit });
}

/** The `metadata` every v2 answer carries. */
export function v2Metadata() {
  return { fetchedAt: new Date().toISOString() };
}
