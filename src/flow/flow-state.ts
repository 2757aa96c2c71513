import { z } from "zod";
import { initialBatch, type BatchState } from "./batch";
import { initialDebounce, type DebounceState } from "./debounce";
import { initialGcra, type GcraState } from "./gcra";
import { initialLeases, type LeaseState } from "./leases";
import { initialSingleton, type SingletonState } from "./singleton";

/** What a debounce window or a batch needs to start its run later. */
export const bufferedStartSchema = z.object({ functionId: z.string().min(1) });
export type BufferedStart = z.infer<typeof bufferedStartSchema>;

/** Every piece of state a FlowObject may hold, by kind. */
export interface FlowStates {
  throttle: GcraState;
  ratelimit: GcraState;
  leases: LeaseState;
  debounce: DebounceState;
  batch: BatchState;
  singleton: SingletonState;
}

/** The state of each kind before anything happened. */
export const flowStateDefaults: { [K in keyof FlowStates]: () => FlowStates[K] } = {
  throttle: initialGcra,
  ratelimit: initialGcra,
  leases: initialLeases,
  debounce: initialDebounce,
  batch: initialBatch,
  singleton: initialSingleton,
};

const gcraSchema: z.ZodType<GcraState> = z.object({ tat: z.number() });

const leaseStateSchema: z.ZodType<LeaseState> = z.object({
  leases: z.array(z.object({ holder: z.string(), expiresAt: z.number() })),
  waiters: z.array(z.object({ holder: z.string(), enqueuedAt: z.number(), priority: z.number(), seq: z.number(), leaseMs: z.number() })),
  seq: z.number(),
});

const debounceStateSchema: z.ZodType<DebounceState> = z.object({
  event: z.object({ internalId: z.string(), ts: z.number() }).nullable(),
  firstAt: z.number().nullable(),
  fireAt: z.number().nullable(),
});

const batchStateSchema: z.ZodType<BatchState> = z.object({
  events: z.array(z.object({ internalId: z.string(), bytes: z.number() })),
  openedAt: z.number().nullable(),
});

/**
 * The schema of every value a FlowObject stores under a kind: the algorithm states, plus what
 * its alarm needs and no caller passes then (the concurrency limit, the function a buffer starts,
 * the batch timeout, whether a debounce collects every event, and the events it collected).
 */
export const flowValueSchemas: { [K in FlowKind]: z.ZodType<FlowValues[K]> } = {
  throttle: gcraSchema,
  ratelimit: gcraSchema,
  leases: leaseStateSchema,
  debounce: debounceStateSchema,
  batch: batchStateSchema,
  singleton: z.object({ holder: z.string().nullable() }),
  limit: z.number(),
  start: bufferedStartSchema,
  batchTimeout: z.number(),
  collectAll: z.boolean(),
  window: z.array(z.string()),
};

/** The value a FlowObject stores under each kind. */
export interface FlowValues extends FlowStates {
  limit: number;
  start: BufferedStart;
  batchTimeout: number;
  collectAll: boolean;
  window: string[];
}

/** A kind of stored FlowObject value. */
export type FlowKind = keyof FlowValues;
