/**
 * Schemas for every JSON value a RunObject reads back from its own storage. A run outlives
 * deploys, so what an older build wrote is checked against what this build expects before use.
 * @module
 */
import { z } from "zod";
import { jsonObjectSchema, sdkEventSchema } from "../ingest/event";
import type { EmittedEvent } from "../ingest/emit-events";
import type { Pause } from "../waits/pause";
import type { OutboxEntry } from "./run-outbox";
import { runStartSchema } from "./run-start";
import type { GatewayRequest, Memo } from "./transition";

/** The events that triggered the run (blob `events`). */
export const storedEventsSchema = z.array(sdkEventSchema).min(1);

/**
 * A memoised step result (blob `memo:<id>`): an object (`{data}`, `{error}`, a matched event) or
 * null. Its inside is the SDK's business and is passed back to it as stored.
 */
export const storedMemoSchema: z.ZodType<Memo> = jsonObjectSchema.nullable();

/** The throttle bucket a run's start is taken from (column `run.throttle`). */
export const storedThrottleSchema = runStartSchema.shape.throttle.unwrap();

/** The concurrency limits each step must fit under (column `run.constraints`). */
export const storedConstraintsSchema = z.array(z.object({ flow: z.string().min(1), limit: z.number().int().min(1) }));

/**
 * A request the run makes itself (column `calls.detail`): a `step.fetch`, or a `step.ai.infer`
 * marked `ai`, stored without its key, headers or body (src/runs/ai-request.ts; the request itself in src/runner/ai-gateway.ts).
 */
export const storedGatewayRequestSchema: z.ZodType<GatewayRequest> = z.object({
  url: z.string(),
  method: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
  ai: z.string().optional(),
});

/** The run's output or error once it ended (blob `result`). */
export const storedResultSchema = z.union([z.object({ output: z.unknown() }), z.object({ error: z.unknown() })]);

const pauseSchema: z.ZodType<Pause> = z.object({
  id: z.string().min(1),
  runId: z.string().min(1),
  stepId: z.string().nullable(),
  kind: z.enum(["wait", "invoke", "cancel"]),
  eventName: z.string().min(1),
  expression: z.string().nullable(),
  match: z.object({ path: z.string(), value: z.string() }).optional(),
  triggerEvent: sdkEventSchema,
  createdAt: z.number(),
  expiresAt: z.number(),
});

const emittedEventSchema: z.ZodType<EmittedEvent> = z.object({
  name: z.string().min(1),
  data: jsonObjectSchema,
  ts: z.number(),
  key: z.string().min(1),
  id: z.string().optional(),
  target: z.string().optional(),
});

/** An effect waiting in the outbox (column `outbox.body`). */
export const storedOutboxEntrySchema: z.ZodType<OutboxEntry> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("pause"), pause: pauseSchema }),
  z.object({ kind: z.literal("unpause"), pauseIds: z.array(z.string()) }),
  z.object({ kind: z.literal("unpause_run") }),
  z.object({ kind: z.literal("emit"), events: z.array(emittedEventSchema) }),
  z.object({ kind: z.literal("invoke"), stepId: z.string(), functionId: z.string(), invoked: emittedEventSchema, pause: pauseSchema }),
  z.object({ kind: z.literal("release_singleton"), flow: z.string().min(1) }),
  z.object({
    kind: z.literal("signal"),
    hold: z.object({
      signal: z.string().min(1),
      pause_id: z.string().min(1),
      run_id: z.string().min(1),
      step_id: z.string().min(1),
      expires_at: z.number(),
    }),
    replace: z.boolean(),
  }),
]);
