/**
 * The `Query` fields of `/v0/gql`, reading D1 history through src/history and the registry
 * through src/sync. Lists are clamped to GQL_MAX_LIST_ITEMS.
 * @module
 */
import { GraphQLError } from "graphql";
import { GQL_MAX_LIST_ITEMS } from "../constants";
import { eventKeyset, findEvent, listEvents } from "../history/events";
import { findRun } from "../history/runs";
import { stepsOfRun } from "../history/steps";
import { parseOutputId, spanOutput } from "../history/trace";
import { findFunction, getApp } from "../sync/store";
import { type GqlContext, gqlApp, gqlEvent, gqlEventV2, gqlFunction, gqlLegacyRun, gqlRun, gqlRunTrigger, gqlStreamItem, gqlTrace } from "./graphql-objects";

const clamp = (limit: number) => Math.min(Math.max(limit, 1), GQL_MAX_LIST_ITEMS);

/** A keyset for an event id a client passes back, or an error naming the argument. */
async function keysetFor(ctx: GqlContext, id: string, argument: string) {
  const keyset = await eventKeyset(ctx.env.DB, id);
  if (!keyset) throw new GraphQLError(`${argument}: no event ${id}`);
  return keyset;
}

type StreamArgs = { query: { after?: string; before?: string; limit: number; includeInternalEvents?: boolean } };

/** The root value: one method per `Query` field, called as `(args, context)`. */
export const gqlRoot = {
  // Every stepflare app is served over HTTP (`SERVE`); Connect and API apps do not exist here.
  apps: async ({ filter }: { filter?: { method?: string | null } | null }, ctx: GqlContext) =>
    filter?.method && filter.method !== "SERVE" ? [] : [...(await ctx.apps()).values()].map(gqlApp),

  app: async ({ id }: { id: string }, ctx: GqlContext) => {
    const app = await getApp(ctx.env.DB, id);
    return app ? gqlApp(app) : null;
  },

  functions: async (_: unknown, ctx: GqlContext) => [...(await ctx.functions()).values()].map(gqlFunction),

  functionBySlug: async ({ query }: { query: { functionSlug: string } }, ctx: GqlContext) => {
    const fn = await findFunction(ctx.env.DB, query.functionSlug);
    return fn ? gqlFunction(fn) : null;
  },

  stream: async ({ query }: StreamArgs, ctx: GqlContext) => {
    // `before` pages back through older items; `after` asks only for items newer than one.
    const older = query.before === undefined ? undefined : await keysetFor(ctx, query.before, "before");
    const newer = query.after === undefined ? undefined : await keysetFor(ctx, query.after, "after");
    const events = await listEvents(ctx.env.DB, {
      hideInternal: query.includeInternalEvents !== true,
      after: older,
      receivedAfter: newer === undefined ? undefined : newer.at + 1,
      limit: clamp(query.limit),
    });
    return events.map(gqlStreamItem);
  },

  event: async ({ query }: { query: { eventId: string } }, ctx: GqlContext) => {
    const event = await findEvent(ctx.env.DB, query.eventId);
    return event ? gqlEvent(event) : null;
  },

  events: async ({ query }: { query: { lastEventId?: string } }, ctx: GqlContext) => {
    const after = query.lastEventId === undefined ? undefined : await keysetFor(ctx, query.lastEventId, "lastEventId");
    return (await listEvents(ctx.env.DB, { after, limit: GQL_MAX_LIST_ITEMS })).map(gqlEvent);
  },

  eventV2: async ({ id }: { id: string }, ctx: GqlContext) => {
    const event = await findEvent(ctx.env.DB, id);
    if (!event) throw new GraphQLError(`event ${id} not found`);
    return gqlEventV2(event);
  },

  functionRun: async ({ query }: { query: { functionRunId: string } }, ctx: GqlContext) => {
    const run = await findRun(ctx.env.DB, query.functionRunId);
    return run ? gqlLegacyRun(run) : null;
  },

  run: async ({ runID }: { runID: string }, ctx: GqlContext) => {
    const run = await findRun(ctx.env.DB, runID);
    return run ? gqlRun(run) : null;
  },

  runTrace: async ({ runID }: { runID: string }, ctx: GqlContext) => {
    const run = await findRun(ctx.env.DB, runID);
    if (!run) throw new GraphQLError(`run ${runID} not found`);
    return gqlTrace(run, ctx);
  },

  runTrigger: async ({ runID }: { runID: string }, ctx: GqlContext) => {
    const trigger = await gqlRunTrigger(ctx, runID);
    if (!trigger) throw new GraphQLError(`run ${runID} not found`);
    return trigger;
  },

  runTraceSpanOutputByID: async ({ outputID }: { outputID: string }, ctx: GqlContext) => {
    const id = parseOutputId(outputID);
    if (!id) throw new GraphQLError(`outputID ${outputID} is not an output id from a trace`);
    const run = await findRun(ctx.env.DB, id.runId);
    const row = id.stepId === undefined ? run : (await stepsOfRun(ctx.env.DB, id.runId)).find((s) => s.step_id === id.stepId);
    if (!row) throw new GraphQLError(`no output ${outputID}`);
    return { input: null, ...spanOutput(row) };
  },
};
