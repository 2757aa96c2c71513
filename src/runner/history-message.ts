/**
 * Messages on the history Queue (`stepflare-history`): how runs, steps and skipped runs reach D1
 * behind the hot path. Validated with zod by the consumer, since a Queue is a boundary.
 * @module
 */
import { z } from "zod";

/**
 * A value (JSON text of an output or error) as a message carries it: inline, absent (null), or
 * by reference when it is too large for a message: the consumer reads it from the run's object.
 */
export const historyValueSchema = z.union([z.string(), z.null(), z.object({ ref: z.literal(true) })]);
/** A value as a message carries it. */
export type HistoryValue = z.infer<typeof historyValueSchema>;

/** A version of a run's D1 row; `seq` orders versions, the newest wins. */
export const runHistoryRowSchema = z.object({
  seq: z.number().int(),
  functionId: z.string(),
  appId: z.string(),
  eventId: z.string(),
  status: z.enum(["queued", "running", "completed", "failed", "cancelled"]),
  output: historyValueSchema,
  error: historyValueSchema,
  queuedAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  updatedAt: z.number(),
  wakeAt: z.number().nullable(),
});
/** A version of a run's D1 row. */
export type RunHistoryRow = z.infer<typeof runHistoryRowSchema>;

/** A version of one step's D1 row; `seq` orders versions, the newest wins. */
export const stepHistoryRowSchema = z.object({
  seq: z.number().int(),
  stepId: z.string(),
  name: z.string().nullable(),
  displayName: z.string().nullable(),
  op: z.string(),
  status: z.enum(["running", "completed", "failed", "errored"]),
  attempts: z.number().int(),
  output: historyValueSchema,
  error: historyValueSchema,
  /** Absent in messages sent before attempts' errors were kept. */
  attemptErrors: z.string().nullable().default(null),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  order: z.number().int(),
});
/** A version of one step's D1 row. */
export type StepHistoryRow = z.infer<typeof stepHistoryRowSchema>;

/** Rows a run's object sent; the consumer confirms them to the object once they are in D1. */
export const runHistoryMessageSchema = z.object({
  kind: z.literal("run_history"),
  runId: z.string(),
  run: runHistoryRowSchema.optional(),
  steps: z.array(stepHistoryRowSchema),
});
/** Rows a run's object sent. */
export type RunHistoryMessage = z.infer<typeof runHistoryMessageSchema>;

/** Runs routing admitted: `queued` rows shown until the runs' own rows arrive (which win). */
export const queuedRunsMessageSchema = z.object({
  kind: z.literal("queued_runs"),
  at: z.number(),
  runs: z.array(z.object({ runId: z.string(), functionId: z.string(), appId: z.string(), eventId: z.string() })),
});

/** Why a run was not started, as `skipped_runs.reason` allows (its CHECK constraint). */
export const SKIP_REASONS = ["rate_limit", "idempotency", "singleton", "self_trigger", "chain_depth"] as const;

/** Runs flow control or the chain guard did not start, so history shows why. */
export const skippedRunsMessageSchema = z.object({
  kind: z.literal("skipped_runs"),
  at: z.number(),
  skips: z.array(z.object({ eventId: z.string(), functionId: z.string(), reason: z.enum(SKIP_REASONS) })),
});

/** What delivering an event to paused runs did: a wait it resumed, or a run it cancelled. */
export const eventEffectSchema = z.object({
  eventId: z.string(),
  runId: z.string(),
  kind: z.enum(["resumed", "cancelled"]),
  /** The step resumed; "" for a cancellation. */
  stepId: z.string(),
});
/** What delivering an event to a paused run did. */
export type EventEffect = z.infer<typeof eventEffectSchema>;

/** Events' effects on paused runs, so an event's page shows them. */
export const eventEffectsMessageSchema = z.object({
  kind: z.literal("event_effects"),
  at: z.number(),
  effects: z.array(eventEffectSchema),
});

/** Any history message. */
export const historyMessageSchema = z.discriminatedUnion("kind", [
  runHistoryMessageSchema,
  queuedRunsMessageSchema,
  skippedRunsMessageSchema,
  eventEffectsMessageSchema,
]);
/** Any history message. */
export type HistoryMessage = z.infer<typeof historyMessageSchema>;
