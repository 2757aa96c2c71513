/**
 * The objects `/v0/gql` answers with, built from history rows. Fields that cost a query are
 * methods, which graphql-js calls only when a query selects them; runs by event go through a
 * per-request DataLoader, so a stream of 200 events costs one runs query, not 200.
 * @module
 */
import DataLoader from "dataloader";
import { GraphQLError } from "graphql";
import type { Env } from "../env";
import { findEvent, type EventRecord } from "../history/events";
import { findRun, runsForEvents, type ListedRun } from "../history/runs";
import { stepsOfRun } from "../history/steps";
import { buildTrace, INNGEST_RUN_STATUS, type TraceSpan } from "../history/trace";
import { sdkParts } from "./v2-shapes";
import { listApps, listFunctions, type AppRecord, type StoredFunction } from "../sync/store";
import { isCronTrigger } from "../sync/function-config";
import { CRON_EVENT_NAME } from "../cron/tick-event";

/** What every resolver gets: the bindings and this request's caches. */
export interface GqlContext {
  env: Env;
  runsByEvent: DataLoader<string, ListedRun[]>;
  functions: () => Promise<Map<string, StoredFunction>>;
  apps: () => Promise<Map<string, AppRecord>>;
}

/** Inngest's dev server has one environment; its id is fixed. */
const DEV_ENV_ID = "00000000-0000-0000-0000-000000000000";
const WORKSPACE = { id: "local" };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Memoises `load` for the rest of the request. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** A fresh context for one request. */
export function gqlContext(env: Env): GqlContext {
  return {
    env,
    runsByEvent: new DataLoader(async (ids) => {
      const runs = await runsForEvents(env.DB, ids);
      return ids.map((id) => runs.filter((r) => r.event_id === id));
    }),
    functions: once(async () => new Map((await listFunctions(env.DB)).map((f) => [f.id, f]))),
    apps: once(async () => new Map((await listApps(env.DB)).map((a) => [a.id, a]))),
  };
}

/** The event as its producer sent it, without the server's internal id. */
function rawEvent(event: EventRecord): Record<string, unknown> {
  const { internalId: _internalId, ...fields } = JSON.parse(event.data) as Record<string, unknown>;
  return fields;
}

/** An app (`App`). */
export function gqlApp(app: AppRecord) {
  const sdk = sdkParts(app.sdk);
  return {
    id: app.id,
    externalID: app.id,
    name: app.id,
    sdkLanguage: sdk.sdkLanguage ?? "",
    sdkVersion: sdk.sdkVersion ?? "",
    framework: app.framework,
    url: app.url,
    checksum: app.checksum,
    error: app.syncError,
    method: "SERVE",
    appVersion: app.appVersion,
    connected: app.syncError === null,
    autodiscovered: false,
    functions: async (_: unknown, ctx: GqlContext) => [...(await ctx.functions()).values()].filter((f) => f.appId === app.id).map(gqlFunction),
    functionCount: async (_: unknown, ctx: GqlContext) => [...(await ctx.functions()).values()].filter((f) => f.appId === app.id).length,
  };
}

/** A function (`Function`). */
export function gqlFunction(fn: StoredFunction) {
  const concurrency = fn.config.concurrency;
  const limit = typeof concurrency === "number" ? concurrency : ([concurrency].flat()[0]?.limit ?? 0);
  return {
    id: fn.id,
    name: fn.config.name ?? fn.id,
    slug: fn.id,
    config: JSON.stringify(fn.config),
    concurrency: limit,
    triggers: fn.config.triggers.map((t) =>
      isCronTrigger(t) ? { type: "CRON", value: t.cron, condition: null } : { type: "EVENT", value: t.event, condition: t.expression ?? null },
    ),
    url: fn.appUrl,
    appID: fn.appId,
    app: async (_: unknown, ctx: GqlContext) => {
      const app = (await ctx.apps()).get(fn.appId);
      return app ? gqlApp(app) : null;
    },
  };
}

/** The function a run belongs to, or null once it is no longer synced. */
async function functionOf(run: ListedRun, ctx: GqlContext) {
  const fn = (await ctx.functions()).get(run.function_id);
  return fn ? gqlFunction(fn) : null;
}

/** A run in the legacy shape (`FunctionRun`) the event stream lists. */
export function gqlLegacyRun(run: ListedRun) {
  return {
    id: run.id,
    functionID: run.function_id,
    function: (_: unknown, ctx: GqlContext) => functionOf(run, ctx),
    workspace: WORKSPACE,
    event: async (_: unknown, ctx: GqlContext) => {
      const event = await findEvent(ctx.env.DB, run.event_id);
      return event ? gqlEvent(event) : null;
    },
    events: async (_: unknown, ctx: GqlContext) => {
      const event = await findEvent(ctx.env.DB, run.event_id);
      return event ? [gqlEvent(event)] : [];
    },
    status: INNGEST_RUN_STATUS[run.status],
    startedAt: iso(run.started_at ?? run.queued_at),
    finishedAt: iso(run.ended_at),
    output: run.output ?? run.error,
    eventID: run.event_id,
    cron: null,
  };
}

/** How an event's runs are doing, as Inngest sums them up. */
function eventStatus(runs: ListedRun[]): string {
  if (runs.length === 0) return "NO_FUNCTIONS";
  if (runs.some((r) => r.status === "queued" || r.status === "running")) return "RUNNING";
  const failed = runs.filter((r) => r.status === "failed").length;
  if (failed === runs.length) return "FAILED";
  return failed > 0 ? "PARTIALLY_FAILED" : "COMPLETED";
}

/** An event (`Event`). */
export function gqlEvent(event: EventRecord) {
  const fields = rawEvent(event);
  const raw = JSON.stringify(fields);
  const runs = (ctx: GqlContext) => ctx.runsByEvent.load(event.internal_id);
  return {
    id: event.internal_id,
    externalID: typeof fields.id === "string" ? fields.id : null,
    workspace: WORKSPACE,
    name: event.name,
    createdAt: iso(event.received_at),
    payload: raw,
    raw,
    status: async (_: unknown, ctx: GqlContext) => eventStatus(await runs(ctx)),
    pendingRuns: async (_: unknown, ctx: GqlContext) => (await runs(ctx)).filter((r) => r.status === "queued" || r.status === "running").length,
    totalRuns: async (_: unknown, ctx: GqlContext) => (await runs(ctx)).length,
    functionRuns: async (_: unknown, ctx: GqlContext) => (await runs(ctx)).map(gqlLegacyRun),
  };
}

/** An item of the event stream (`StreamItem`). */
export function gqlStreamItem(event: EventRecord) {
  return {
    id: event.internal_id,
    trigger: event.name,
    type: event.name === CRON_EVENT_NAME ? "CRON" : "EVENT",
    createdAt: iso(event.received_at),
    inBatch: false,
    runs: async (_: unknown, ctx: GqlContext) => (await ctx.runsByEvent.load(event.internal_id)).map(gqlLegacyRun),
  };
}

/** An event in the newer shape (`EventV2`). */
export function gqlEventV2(event: EventRecord) {
  const fields = rawEvent(event);
  return {
    envID: DEV_ENV_ID,
    id: event.internal_id,
    idempotencyKey: typeof fields.id === "string" ? fields.id : null,
    name: event.name,
    occurredAt: iso(typeof fields.ts === "number" ? fields.ts : event.received_at),
    raw: JSON.stringify(fields),
    receivedAt: iso(event.received_at),
    version: typeof fields.v === "string" ? fields.v : null,
    runs: async (_: unknown, ctx: GqlContext) => (await ctx.runsByEvent.load(event.internal_id)).map(gqlRun),
  };
}

/** A span of a run's trace (`RunTraceSpan`) and its children. */
function gqlSpan(span: TraceSpan, run: ListedRun, parent: TraceSpan | null): Record<string, unknown> {
  return {
    appID: run.app_id,
    functionID: run.function_id,
    runID: run.id,
    run: gqlLegacyRun(run),
    spanID: span.spanId,
    traceID: run.id,
    groupID: null,
    name: span.name,
    status: span.status,
    attempts: span.attempts,
    duration: span.durationMs,
    outputID: span.outputId,
    queuedAt: iso(span.queuedAt),
    startedAt: iso(span.startedAt),
    endedAt: iso(span.endedAt),
    childrenSpans: span.children.map((c) => gqlSpan(c, run, span)),
    stepOp: span.stepOp,
    stepID: span.stepId,
    stepType: span.stepOp ?? "",
    isRoot: parent === null,
    parentSpanID: parent?.spanId ?? null,
    isUserland: false,
    debugPaused: false,
    metadata: [],
  };
}

/** The trace of a run, read now. */
export async function gqlTrace(run: ListedRun, ctx: GqlContext) {
  return gqlSpan(buildTrace(run, await stepsOfRun(ctx.env.DB, run.id)), run, null);
}

/** A run in the newer shape (`FunctionRunV2`) with its trace. */
export function gqlRun(run: ListedRun) {
  return {
    id: run.id,
    appID: run.app_id,
    app: async (_: unknown, ctx: GqlContext) => {
      const app = (await ctx.apps()).get(run.app_id);
      if (!app) throw new GraphQLError(`app ${run.app_id} is no longer synced`);
      return gqlApp(app);
    },
    functionID: run.function_id,
    function: async (_: unknown, ctx: GqlContext) => {
      const fn = await functionOf(run, ctx);
      if (!fn) throw new GraphQLError(`function ${run.function_id} is no longer synced`);
      return fn;
    },
    traceID: run.id,
    queuedAt: iso(run.queued_at),
    startedAt: iso(run.started_at),
    endedAt: iso(run.ended_at),
    status: INNGEST_RUN_STATUS[run.status],
    sourceID: null,
    triggerIDs: [run.event_id],
    eventName: run.event_name,
    isBatch: false,
    cronSchedule: null,
    output: run.output ?? run.error,
    trace: (_: unknown, ctx: GqlContext) => gqlTrace(run, ctx),
    hasAI: false,
    isDeferred: false,
  };
}

/** A run's trigger (`RunTraceTrigger`), or null when the run is unknown. */
export async function gqlRunTrigger(ctx: GqlContext, runId: string) {
  const run = await findRun(ctx.env.DB, runId);
  if (!run) return null;
  const event = await findEvent(ctx.env.DB, run.event_id);
  return {
    eventName: run.event_name,
    IDs: [run.event_id],
    payloads: event ? [JSON.stringify(rawEvent(event))] : [],
    timestamp: iso(event?.received_at ?? run.queued_at),
    isBatch: false,
    batchID: null,
    cron: null,
  };
}
